/// A set of byte-string ids numbered in insertion order, kept in one arena:
/// no allocation per id. Open addressing with linear probing in 32-bit slots:
/// each holds the id's number and, in the bits the number does not need, a
/// tag from its hash (13 bits for 250,000 ids), so a probe compares the
/// arena's bytes only when the tags agree.
///
/// While every id has the same length (``width``), id `i` sits at `i * width`
/// and no offsets are kept: a lookup then has one cache miss less. The jobs
/// fill and query tables through ``IDJoin``.
public struct IDTable: Sendable {
    /// The ids' bytes, back to back.
    private(set) var bytes: [UInt8] = []
    /// When the ids' lengths differ (``width`` is `nil`): `offsets[i] ..< offsets[i + 1]`
    /// is id `i` in ``bytes``. Empty while they all have one length.
    private(set) var offsets: [UInt32] = []
    /// The length of every id, or -1 once they differ (then ``offsets`` is used).
    private var fixedWidth = 0
    /// The hash table: 0 is empty, else `tag | (number + 1)`, the number in the
    /// low ``indexMask`` bits. Its size is a power of two, at least twice the number of ids.
    private var slots: [UInt32]
    private var mask: Int
    /// `slots.count - 1` as a slot's number bits; the bits above hold the tag.
    private var indexMask: UInt32

    /// The number of ids.
    public private(set) var count = 0

    /// The length shared by every id, or `nil` when their lengths differ (0 for an empty table).
    public var width: Int? { fixedWidth >= 0 ? fixedWidth : nil }

    init(capacity: Int = 1024) {
        self.init(slotsFor: capacity)
        bytes = LargeArrays.reserved(capacity: capacity * 12)
    }

    /// An empty table with room for `capacity` ids, without reserving an arena.
    private init(slotsFor capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        precondition(size <= 1 << 30, "too many ids for one table")
        slots = LargeArrays.make(repeating: 0, count: size)
        mask = size - 1
        indexMask = UInt32(size - 1)
    }

    /// Rebuilds a table from its arena and offsets (`count + 1` of them, the first 0).
    /// (A table whose ids have one length keeps no ``offsets``: rebuild it with
    /// ``init(bytes:width:count:)``.)
    ///
    /// - Returns: `nil` when the offsets do not describe `bytes` or an id repeats.
    init?(bytes: [UInt8], offsets: [UInt32]) {
        guard Self.validArena(bytes: bytes, offsets: offsets) else { return nil }
        let count = offsets.count - 1
        let width = count > 0 ? Int(offsets[1]) : 0
        let uniform = offsets.withUnsafeBufferPointer { offsets in
            (0..<count).allSatisfy { Int(offsets[$0 + 1] - offsets[$0]) == width }
        }
        self.init(slotsFor: count)  // the arena is the one given
        self.bytes = bytes
        self.count = count
        if uniform { fixedWidth = width } else { (fixedWidth, self.offsets) = (-1, offsets) }
        guard fillSlots() else { return nil }
    }

    /// Rebuilds a table of `count` ids of `width` bytes each from its arena.
    ///
    /// - Returns: `nil` when `bytes` does not hold exactly that or an id repeats.
    init?(bytes: [UInt8], width: Int, count: Int) {
        let (size, overflow) = width.multipliedReportingOverflow(by: count)
        // Two empty ids would repeat: refused before sizing a table for them.
        guard width >= 0, count >= 0, !overflow, size == bytes.count, width > 0 || count <= 1 else { return nil }
        self.init(slotsFor: count)
        self.bytes = bytes
        self.count = count
        fixedWidth = count > 0 ? width : 0
        guard fillSlots() else { return nil }
    }

    /// Puts every id of the arena into the slots; `false` when one repeats.
    private mutating func fillSlots() -> Bool {
        // In blocks: hash a block of ids and touch their slots first, so the
        // cache misses of the block overlap instead of coming one by one.
        let block = IDJoin.batchSize
        var hashes = [Int](repeating: 0, count: block)
        var i = 0
        while i < count {
            let n = min(block, count - i)
            for k in 0..<n { hashes[k] = withID(i + k) { Self.hash($0) } }
            var sink: Int32 = 0
            for k in 0..<n { sink &+= touch(hash: hashes[k]) }
            Self.consume(sink)
            for k in 0..<n {
                guard claimSlot(for: i + k, hash: hashes[k]) else { return false }
            }
            i += n
        }
        return true
    }

    private static func validArena(bytes: [UInt8], offsets: [UInt32]) -> Bool {
        guard let first = offsets.first, first == 0, Int(offsets.last!) == bytes.count else { return false }
        return offsets.withUnsafeBufferPointer { offsets in
            var previous: UInt32 = 0
            for offset in offsets {
                guard offset >= previous else { return false }
                previous = offset
            }
            return true
        }
    }

    /// Loads the first slot of `hash`, so that a following ``insert(_:hash:)``
    /// or ``find(_:hash:)`` of it hits the cache (see ``IDJoin``, which batches them).
    @inline(__always)
    func touch(hash: Int) -> Int32 {
        Int32(truncatingIfNeeded: slots.withUnsafeBufferPointer { $0[hash & mask] })
    }

    /// Like ``touch(hash:)``, and when that slot's hash agrees, also loads the
    /// offsets and first bytes of its id, for a ``find(_:hash:)`` that will
    /// compare against it. Call after ``touch(hash:)`` of the whole batch.
    @inline(__always)
    func touchEntry(hash: Int) -> Int32 {
        let entry = slots.withUnsafeBufferPointer { $0[hash & mask] }
        guard entry != 0, entry & ~indexMask == tag(hash) else { return Int32(truncatingIfNeeded: entry) }
        let start = bounds(Int(entry & indexMask) - 1).start
        guard start < bytes.count else { return Int32(truncatingIfNeeded: start) }
        return Int32(truncatingIfNeeded: start) &+ Int32(bytes.withUnsafeBufferPointer { $0[start] })
    }

    /// Keeps the loads of ``touch(hash:)`` from being optimised away.
    @inline(__always)
    static func consume(_ value: Int32) {
        touchSink.store(value, ordering: .relaxed)
    }

    /// Adds `id` unless present.
    ///
    /// - Returns: the id's number, and whether it was new.
    @inline(__always)
    mutating func insert(_ id: UnsafeRawBufferPointer) -> (index: Int, inserted: Bool) {
        insert(id, hash: Self.hash(id))
    }

    /// ``insert(_:)`` with the id's ``hash(_:)`` already computed.
    @inline(__always)
    mutating func insert(_ id: UnsafeRawBufferPointer, hash: Int) -> (index: Int, inserted: Bool) {
        let tag = tag(hash)
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & ~indexMask == tag, matches(Int(entry & indexMask) - 1, id) {
                return (Int(entry & indexMask) - 1, false)
            }
            slot = (slot + 1) & mask
        }
        let index = count
        if fixedWidth != id.count, fixedWidth >= 0 {
            if index == 0 { fixedWidth = id.count } else { keepOffsets() }
        }
        bytes.append(contentsOf: id)
        precondition(bytes.count <= Int(UInt32.max) && index < Int(UInt32.max - 1), "ids larger than 4 GiB in one period")
        if fixedWidth < 0 { offsets.append(UInt32(bytes.count)) }
        count = index + 1
        slots[slot] = tag | UInt32(index + 1)
        if count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// The number of `id`, or `nil`: one lookup, for small tables (a row
    /// loop looks its ids up in batches, through ``IDJoin``).
    @inline(__always)
    public func find(_ id: UnsafeRawBufferPointer) -> Int? {
        find(id, hash: Self.hash(id))
    }

    /// ``find(_:)`` with the id's ``hash(_:)`` already computed.
    @inline(__always)
    func find(_ id: UnsafeRawBufferPointer, hash: Int) -> Int? {
        let tag = tag(hash)
        return slots.withUnsafeBufferPointer { slots in
            var slot = hash & mask
            while true {
                let entry = slots[slot]
                if entry == 0 { return nil }
                if entry & ~indexMask == tag, matches(Int(entry & indexMask) - 1, id) {
                    return Int(entry & indexMask) - 1
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The tag of `hash` in place in a slot: bits of its high half, where the
    /// slot's number bits are clear; the slot comes from the low bits.
    @inline(__always)
    private func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(hash)) >> 32) & ~indexMask
    }

    /// From now on the ids' lengths differ: their offsets are kept.
    private mutating func keepOffsets() {
        let width = fixedWidth
        offsets = [UInt32](unsafeUninitializedCapacity: slots.count / 2 + 1) { buffer, initialized in
            for i in 0...count { buffer[i] = UInt32(i * width) }
            initialized = count + 1
        }
        fixedWidth = -1
    }

    /// Where id `index` is in ``bytes``.
    @inline(__always)
    private func bounds(_ index: Int) -> (start: Int, end: Int) {
        if fixedWidth >= 0 {
            let start = index &* fixedWidth
            return (start, start &+ fixedWidth)
        }
        return offsets.withUnsafeBufferPointer { (Int($0[index]), Int($0[index + 1])) }
    }

    @inline(__always)
    private func withID<T>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let (start, end) = bounds(index)
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// A 64-bit digest of the ids in order (their bytes and lengths): equal
    /// for equal tables, different, but for a 2⁻⁶⁴ chance, otherwise. (A
    /// table's layout follows from its ids, so equal tables have equal layouts.)
    public var digest: UInt64 {
        let words = bytes.withUnsafeBytes { UInt64(bitPattern: Int64(Self.hash($0))) }
        let lengths: UInt64
        if fixedWidth >= 0 {
            lengths = withUnsafeBytes(of: (fixedWidth, count)) { UInt64(bitPattern: Int64(Self.hash($0))) }
        } else {
            lengths = offsets.withUnsafeBytes { UInt64(bitPattern: Int64(Self.hash($0))) }
        }
        return (words ^ (lengths &* 0x9E37_79B9_7F4A_7C15)) &* 0xD6E8_FEB8_6659_FD93
    }

    /// Id number `index` as text (for messages).
    public func string(at index: Int) -> String {
        let (start, end) = bounds(index)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    @inline(__always)
    private func matches(_ index: Int, _ id: UnsafeRawBufferPointer) -> Bool {
        let (start, end) = bounds(index)
        guard end - start == id.count else { return false }
        if id.count == 0 { return true }
        return bytes.withUnsafeBytes { arena in
            Self.equal(arena.baseAddress! + start, id.baseAddress!, id.count)
        }
    }

    /// Puts id `index`, already in the arena, into the table unless an equal id is there.
    private mutating func claimSlot(for index: Int, hash: Int) -> Bool {
        let tag = tag(hash)
        var slot = hash & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry & ~indexMask == tag {
                let same = withID(index) { matches(Int(entry & indexMask) - 1, $0) }
                if same { return false }
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = tag | UInt32(index + 1)
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        precondition(size <= 1 << 30, "too many ids for one table")
        let old = slots
        let oldIndexMask = indexMask
        slots = LargeArrays.make(repeating: 0, count: size)
        mask = size - 1
        indexMask = UInt32(size - 1)
        for entry in old where entry != 0 {
            // Numbers take one bit more now: the tag is taken again from the hash.
            let index = Int(entry & oldIndexMask) - 1
            let hash = withID(index) { Self.hash($0) }
            var slot = hash & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = tag(hash) | UInt32(index + 1)
        }
    }

    /// `count` bytes at `a` and `b` are equal: word compares inline for short
    /// ids (a `memcmp` call per lookup was 16% of load-ground-truth).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        guard count <= 32 else { return memcmp(a, b, count) == 0 }
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < count {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    /// FNV-1a over 8-byte words, then a final mix.
    @inlinable @inline(__always)
    static func hash(_ id: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = 0
        let n = id.count
        while i + 8 <= n {
            h = (h ^ id.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01b3
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(id[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail ^ UInt64(n)) &* 0x0000_0100_0000_01b3
        h ^= h >> 32
        h = h &* 0xd6e8_feb8_6659_fd93
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }
}

import Synchronization

/// Where ``IDTable/consume(_:)`` stores, so touching loads are kept.
private let touchSink = Atomic<Int32>(0)

import Platform
