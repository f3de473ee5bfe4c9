/// The ids of a file's rows, met one row at a time and checked a batch at a
/// time, with the outcome of checking each as it came:
///
/// - ``add(_:line:)`` (get-predictions): every id is added to ``ids``, numbered
///   in order; an id met twice is an error.
/// - ``lookUp(_:line:value:)`` then ``lookUpPending(in:_:)`` (load-ground-truth):
///   each id is looked up in a reference (the stored predictions' ids); ids not
///   in it are added to ``ids``. An id met twice, found or not, is an error.
///
/// The error is a ``RepeatedID``: the first in file order. For failures of
/// other kinds while ids wait in the batch, ``firstError(flushing:_:)`` keeps
/// that order.
///
/// A batch is hashed, its slots (and for lookups, the ids in them) are loaded
/// first, then its ids are inserted or found: the batch's cache misses overlap.
public struct IDJoin: ~Copyable {
    @usableFromInline
    struct Entry: BitwiseCopyable {
        /// End of the id in `bytes`, and of its value in `values`; each starts where the previous one ends.
        var end: Int
        var valueEnd: Int
        var hash: Int
        var line: Int

        @usableFromInline
        init(end: Int, valueEnd: Int, hash: Int, line: Int) {
            (self.end, self.valueEnd, self.hash, self.line) = (end, valueEnd, hash, line)
        }
    }

    /// How many ids are hashed and touched at a time.
    @usableFromInline static let batchSize = 64

    /// The ids added, numbered in order: every id, or the ids not in the reference.
    public private(set) var ids: IDTable
    @usableFromInline var bytes = RowBuffer<UInt8>(capacity: IDJoin.batchSize * 32)
    @usableFromInline var values = RowBuffer<UInt8>(capacity: IDJoin.batchSize * 8)
    @usableFromInline var entries = RowBuffer<Entry>(capacity: IDJoin.batchSize)
    /// Per id of the reference: whether it was met.
    private var seen: [Bool] = []
    /// A batch's rows in the reference, -1 for ids not in it.
    private var rows = RowBuffer<Int>(capacity: IDJoin.batchSize)

    /// - Parameter capacity: how many ids ``ids`` will likely hold.
    public init(capacity: Int = 64) {
        ids = IDTable(capacity: capacity)
    }

    /// Whether a batch is waiting: time for ``lookUpPending(in:_:)`` once the reference is there.
    public var isFull: Bool { entries.count >= Self.batchSize }

    /// Adds `id`, read on `line`, to ``ids``; a full batch is added at once.
    ///
    /// - Throws: the first id of the batch that was met before.
    @inlinable @inline(__always)
    public mutating func add(_ id: UnsafeRawBufferPointer, line: Int) throws(RepeatedID) {
        bytes.append(bytes: id)
        entries.append(Entry(end: bytes.count, valueEnd: 0, hash: IDTable.hash(id), line: line))
        if entries.count >= Self.batchSize { try addPending() }
    }

    /// Adds the ids still waiting in the batch (the rows read last).
    ///
    /// - Throws: the first of them that was met before.
    public mutating func addPending() throws(RepeatedID) {
        defer { removePending() }
        let entries = self.entries.elements
        var start = 0
        while start < entries.count {
            let batch = start..<min(start + Self.batchSize, entries.count)
            touch(ids, batch, entries: false)
            for k in batch where !ids.insert(id(k), hash: entries[k].hash).inserted {
                throw repeated(k)
            }
            start = batch.upperBound
        }
    }

    /// Queues `id`, read on `line`, with `value` (its row's payload, e.g. a
    /// label) for ``lookUpPending(in:_:)``.
    @inlinable @inline(__always)
    public mutating func lookUp(_ id: UnsafeRawBufferPointer, line: Int, value: UnsafeRawBufferPointer) {
        bytes.append(bytes: id)
        values.append(bytes: value)
        entries.append(Entry(end: bytes.count, valueEnd: values.count, hash: IDTable.hash(id), line: line))
    }

    /// Looks the queued ids up in `reference`, in order, and empties the batch.
    /// `body` gets each id's number in `reference` (-1 when it is not there:
    /// then it is added to ``ids``), its value and line.
    ///
    /// - Throws: the first id met before, once `body` has had every row
    ///   before it; or what `body` throws, which ends the batch there.
    public mutating func lookUpPending(
        in reference: IDTable, _ body: (_ row: Int, _ value: UnsafeRawBufferPointer, _ line: Int) throws -> Void
    ) throws {
        defer { removePending() }
        if seen.count != reference.count { seen = [Bool](repeating: false, count: reference.count) }
        let entries = self.entries.elements
        var start = 0
        while start < entries.count {
            let batch = start..<min(start + Self.batchSize, entries.count)
            touch(reference, batch, entries: true)
            // Find the whole batch first (no writes in between, so the compiler
            // keeps the table's storage in registers), then record it in order.
            rows.removeAll()
            for k in batch { rows.append(reference.find(id(k), hash: entries[k].hash) ?? -1) }
            for (k, row) in zip(batch, rows.elements) {
                if row >= 0 {
                    guard !seen[row] else { throw repeated(k) }
                    seen[row] = true
                } else if !ids.insert(id(k), hash: entries[k].hash).inserted {
                    throw repeated(k)
                }
                let valueStart = k == 0 ? 0 : entries[k - 1].valueEnd
                try body(row, values.bytes(valueStart..<entries[k].valueEnd), entries[k].line)
            }
            start = batch.upperBound
        }
    }

    /// The rule for a failure while ids wait in a batch: `read()`'s result,
    /// but when it throws, `flush()` first (adding or looking up the waiting
    /// ids), so that a repeated id on an earlier row is the error thrown.
    public static func firstError<T>(flushing flush: () throws -> Void, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch {
            try flush()
            throw error
        }
    }

    /// The bytes of queued id `k`; valid until the next mutation.
    @inline(__always)
    private func id(_ k: Int) -> UnsafeRawBufferPointer {
        bytes.bytes((k == 0 ? 0 : entries[k - 1].end)..<entries[k].end)
    }

    /// Loads the slots of queued ids `batch` from `table`; with `entries`, also
    /// the ids in those slots, for lookups that will compare against them.
    private func touch(_ table: IDTable, _ batch: Range<Int>, entries touchEntries: Bool) {
        let entries = self.entries.elements
        var sink: Int32 = 0
        for k in batch { sink &+= table.touch(hash: entries[k].hash) }
        if touchEntries { for k in batch { sink &+= table.touchEntry(hash: entries[k].hash) } }
        IDTable.consume(sink)
    }

    private func repeated(_ k: Int) -> RepeatedID {
        RepeatedID(id: Array(id(k)), line: entries[k].line)
    }

    private mutating func removePending() {
        bytes.removeAll()
        values.removeAll()
        entries.removeAll()
    }
}

/// An id met a second time (see ``IDJoin``).
public struct RepeatedID: Error, Sendable, Equatable {
    /// The id's bytes.
    public let id: [UInt8]
    /// The 1-based line where it was met again.
    public let line: Int
}
