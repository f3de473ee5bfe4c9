import Testing

@testable import MonitorStore

/// `body` with `text`'s bytes.
private func bytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    try Array(text.utf8).withUnsafeBytes(body)
}

private struct ReadFailure: Error {}

@Suite("The id join: batches with the outcome of one id at a time")
struct IDJoinTests {
    @Test("added ids are numbered in order, across batches and a partial last one")
    func addNumbersInOrder() throws {
        var join = IDJoin(capacity: 2)
        let ids = (0..<200).map { "id-\($0)" }
        for (i, id) in ids.enumerated() { try bytes(id) { try join.add($0, line: i + 2) } }
        try join.addPending()
        let table = join.ids
        try #require(table.count == 200)
        #expect((0..<200).allSatisfy { table.string(at: $0) == ids[$0] })
        #expect(bytes("id-130") { table.find($0) } == 130)
    }

    @Test("a repeat is the error, with its line, whether in the pending batch or an earlier one")
    func addRepeats() throws {
        for (first, second) in [(3, 10), (3, 100), (70, 71)] {
            var join = IDJoin()
            var thrown: RepeatedID?
            do {
                for row in 0..<150 {
                    let id = row == second ? "r\(first)" : "r\(row)"
                    try bytes(id) { try join.add($0, line: row + 2) }
                }
                try join.addPending()
            } catch {
                thrown = error as? RepeatedID
            }
            #expect(thrown == RepeatedID(id: Array("r\(first)".utf8), line: second + 2), "\(first), \(second)")
        }
    }

    @Test("a failure after a pending repeat: the repeat, on the earlier line, is the error thrown")
    func firstErrorKeepsFileOrder() throws {
        var join = IDJoin()
        for (row, id) in ["a", "b", "a", "c"].enumerated() { try bytes(id) { try join.add($0, line: row + 2) } }
        let error = #expect(throws: RepeatedID.self) {
            try IDJoin.firstError(flushing: { try join.addPending() }) { () throws -> Bool in throw ReadFailure() }
        }
        #expect(error?.line == 4)
        // Without a repeat pending, the failure itself.
        var clean = IDJoin()
        try bytes("x") { try clean.add($0, line: 2) }
        #expect(throws: ReadFailure.self) {
            try IDJoin.firstError(flushing: { try clean.addPending() }) { () throws -> Bool in throw ReadFailure() }
        }
        let table = clean.ids
        #expect(table.count == 1)
    }

    /// A reference of `count` ids `p0`, `p1`, ….
    static func reference(_ count: Int) throws -> IDTable {
        var join = IDJoin()
        for i in 0..<count { try bytes("p\(i)") { try join.add($0, line: i) } }
        try join.addPending()
        return join.ids
    }

    @Test("lookups give each id's row or -1 with its value and line, and add the ids not found")
    func lookUpRows() throws {
        let reference = try Self.reference(100)
        var join = IDJoin()
        let rows = (0..<150).map { $0 % 3 == 0 ? "ghost-\($0)" : "p\(99 - $0 % 100)" }
        var distinct = Set<String>()
        let unique = rows.filter { distinct.insert($0).inserted }
        for (i, id) in unique.enumerated() { bytes(id) { id in bytes("v\(i)") { join.lookUp(id, line: i + 2, value: $0) } } }
        let full = join.isFull
        #expect(full)
        var seen: [(row: Int, value: String, line: Int)] = []
        try join.lookUpPending(in: reference) { seen.append(($0, String(decoding: $1, as: UTF8.self), $2)) }
        #expect(seen.count == unique.count)
        for (i, id) in unique.enumerated() {
            let expected = id.hasPrefix("ghost") ? -1 : Int(id.dropFirst())!
            #expect(seen[i] == (expected, "v\(i)", i + 2), "\(id)")
        }
        let (added, stillFull) = (join.ids.count, join.isFull)
        #expect(added == unique.filter { $0.hasPrefix("ghost") }.count)
        #expect(!stillFull)
    }

    @Test(
        "an id looked up twice is the error, found or not, in the same batch or a later one",
        arguments: [("p5", 3), ("p5", 90), ("ghost", 3), ("ghost", 90)]
    )
    func lookUpRepeats(id: String, gap: Int) throws {
        let reference = try Self.reference(10)
        var join = IDJoin()
        var calls = 0
        let rows = (0..<100).map { $0 == 1 || $0 == 1 + gap ? id : "other-\($0)" }
        let error = #expect(throws: RepeatedID.self) {
            for (i, row) in rows.enumerated() {
                bytes(row) { row in bytes("") { join.lookUp(row, line: i + 2, value: $0) } }
                if join.isFull { try join.lookUpPending(in: reference) { _, _, _ in calls += 1 } }
            }
            try join.lookUpPending(in: reference) { _, _, _ in calls += 1 }
        }
        #expect(error == RepeatedID(id: Array(id.utf8), line: gap + 3))
        #expect(calls == 1 + gap, "every row before the repeat, none after")
    }

    @Test("a failure of the body ends the batch there: a later repeat is not reached")
    func bodyFailureComesFirst() throws {
        let reference = try Self.reference(10)
        var join = IDJoin()
        for (i, id) in ["p1", "p2", "p1"].enumerated() { bytes(id) { id in bytes("") { join.lookUp(id, line: i, value: $0) } } }
        #expect(throws: ReadFailure.self) {
            try join.lookUpPending(in: reference) { row, _, _ in if row == 2 { throw ReadFailure() } }
        }
    }
}
