/// A set of byte-string ids numbered in insertion order, kept in one arena:
/// no allocation per id. Open addressing with linear probing.
public struct IDTable: Sendable {
    /// The ids' bytes, back to back.
    public private(set) var bytes: [UInt8] = []
    /// `offsets[i] ..< offsets[i + 1]` is id `i` in ``bytes``.
    public private(set) var offsets: [UInt32] = [0]
    private var slots: [Int32]
    private var mask: Int

    /// The number of ids.
    public var count: Int { offsets.count - 1 }

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        bytes.reserveCapacity(capacity * 12)
        offsets.reserveCapacity(capacity + 1)
    }

    /// Rebuilds a table from its arena, as stored.
    ///
    /// - Returns: `nil` when the offsets do not describe `bytes` or an id repeats.
    public init?(bytes: [UInt8], offsets: [UInt32]) {
        guard let first = offsets.first, first == 0, Int(offsets.last!) == bytes.count else { return nil }
        self.init(capacity: offsets.count - 1)
        self.bytes = bytes
        self.offsets = [0]
        self.offsets.reserveCapacity(offsets.count)
        // In blocks: hash a block of ids and touch their slots first, so the
        // cache misses of the block overlap instead of coming one by one.
        let block = Self.batchSize
        var hashes = [Int](repeating: 0, count: block)
        var i = 1
        while i < offsets.count {
            let n = min(block, offsets.count - i)
            for k in 0..<n {
                guard offsets[i + k] >= offsets[i + k - 1] else { return nil }
                let start = Int(offsets[i + k - 1]), end = Int(offsets[i + k])
                hashes[k] = self.bytes.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            }
            var sink: Int32 = 0
            for k in 0..<n { sink &+= touch(hash: hashes[k]) }
            Self.consume(sink)
            for k in 0..<n {
                let start = Int(offsets[i + k - 1]), end = Int(offsets[i + k])
                guard claimSlot(hash: hashes[k], start: start, end: end) else { return nil }
                self.offsets.append(offsets[i + k])
            }
            i += n
        }
    }

    /// How many ids the batched callers hash and touch at a time.
    public static let batchSize = 64

    /// Loads the first slot of `hash`, so that a following ``insert(_:hash:)``
    /// or ``find(_:hash:)`` of it hits the cache. Touch a batch of hashes, pass
    /// the sum of the results to ``consume(_:)``, then insert or find them: the
    /// batch's cache misses overlap.
    @inline(__always)
    public func touch(hash: Int) -> Int32 {
        slots.withUnsafeBufferPointer { $0[hash & mask] }
    }

    /// Like ``touch(hash:)``, and also loads the offsets and first bytes of the
    /// id in that slot, for a ``find(_:hash:)`` that will compare against it.
    /// Call after ``touch(hash:)`` of the whole batch.
    @inline(__always)
    public func touchEntry(hash: Int) -> Int32 {
        let entry = slots.withUnsafeBufferPointer { $0[hash & mask] }
        guard entry >= 0 else { return entry }
        let start = offsets.withUnsafeBufferPointer { $0[Int(entry)] }
        guard Int(start) < bytes.count else { return entry }
        return entry &+ Int32(bytes.withUnsafeBufferPointer { $0[Int(start)] })
    }

    /// Keeps the loads of ``touch(hash:)`` from being optimised away.
    @inline(__always)
    public static func consume(_ value: Int32) {
        touchSink.store(value, ordering: .relaxed)
    }

    /// Adds `id` unless present.
    ///
    /// - Returns: the id's number, and whether it was new.
    @inline(__always)
    public mutating func insert(_ id: UnsafeRawBufferPointer) -> (index: Int, inserted: Bool) {
        insert(id, hash: Self.hash(id))
    }

    /// ``insert(_:)`` with the id's ``hash(_:)`` already computed.
    @inline(__always)
    public mutating func insert(_ id: UnsafeRawBufferPointer, hash: Int) -> (index: Int, inserted: Bool) {
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if matches(Int(entry), id) { return (Int(entry), false) }
            slot = (slot + 1) & mask
        }
        let index = count
        bytes.append(contentsOf: id)
        precondition(bytes.count <= Int(UInt32.max), "ids larger than 4 GiB in one period")
        offsets.append(UInt32(bytes.count))
        slots[slot] = Int32(index)
        if count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// The number of `id`, or `nil`.
    @inline(__always)
    public func find(_ id: UnsafeRawBufferPointer) -> Int? {
        find(id, hash: Self.hash(id))
    }

    /// ``find(_:)`` with the id's ``hash(_:)`` already computed.
    @inline(__always)
    public func find(_ id: UnsafeRawBufferPointer, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return nil }
            if matches(Int(entry), id) { return Int(entry) }
            slot = (slot + 1) & mask
        }
    }

    /// Id number `index` as text (for messages).
    public func string(at index: Int) -> String {
        String(decoding: bytes[Int(offsets[index])..<Int(offsets[index + 1])], as: UTF8.self)
    }

    @inline(__always)
    private func matches(_ index: Int, _ id: UnsafeRawBufferPointer) -> Bool {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        guard end - start == id.count else { return false }
        if id.count == 0 { return true }
        return bytes.withUnsafeBytes { arena in
            Self.equal(arena.baseAddress! + start, id.baseAddress!, id.count)
        }
    }

    private mutating func claimSlot(hash: Int, start: Int, end: Int) -> Bool {
        var slot = hash & mask
        let length = end - start
        while slots[slot] >= 0 {
            let other = Int(slots[slot])
            let oStart = Int(offsets[other]), oEnd = Int(offsets[other + 1])
            if oEnd - oStart == length {
                let same = bytes.withUnsafeBytes { arena in
                    length == 0 || memcmp(arena.baseAddress! + start, arena.baseAddress! + oStart, length) == 0
                }
                if same { return false }
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(count)
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        bytes.withUnsafeBytes { arena in
            for index in 0..<count {
                let start = Int(offsets[index]), end = Int(offsets[index + 1])
                var slot = Self.hash(UnsafeRawBufferPointer(rebasing: arena[start..<end])) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
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
    @inline(__always)
    public static func hash(_ id: UnsafeRawBufferPointer) -> Int {
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
