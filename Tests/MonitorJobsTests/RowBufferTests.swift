@testable import MonitorJobs
import MonitorStore
import Testing

@Suite("The row loops' buffers")
struct RowBufferTests {
    @Test func appendsPastItsCapacityAndEmpties() {
        var values = RowBuffer<Int>(capacity: 1)
        for i in 0..<1000 { values.append(i * 3) }
        #expect(values.count == 1000)
        #expect(values[999] == 2997)
        #expect(Array(values.elements) == (0..<1000).map { $0 * 3 })
        values.removeAll()
        #expect(values.count == 0)
        values.append(7)
        #expect(Array(values.elements) == [7])

        var bytes = RowBuffer<UInt8>(capacity: 4)
        let words = ["", "a", "longer than the capacity", "z"]
        var ends: [Int] = []
        for word in words {
            Array(word.utf8).withUnsafeBytes { bytes.append(bytes: $0) }
            ends.append(bytes.count)
        }
        #expect(String(decoding: bytes.bytes(ends[1]..<ends[2]), as: UTF8.self) == "longer than the capacity")
        #expect(bytes.bytes(0..<0).count == 0)
    }

    @Test func pendingIDsKeepEachIDWithItsHashAndLine() {
        var pending = PendingIDs()
        let ids = (0..<200).map { "id-\($0)" }
        for (i, id) in ids.enumerated() { Array(id.utf8).withUnsafeBytes { pending.append($0, line: i + 2) } }
        #expect(pending.count == 200 && pending.isFull)
        for k in [0, 1, 63, 64, 199] {
            #expect(String(decoding: pending.id(k), as: UTF8.self) == ids[k])
            #expect(pending.line(k) == k + 2)
            #expect(pending.hash(k) == Array(ids[k].utf8).withUnsafeBytes { IDTable.hash($0) })
        }
        var table = IDTable()
        #expect(pending.insert(into: &table) == nil)
        #expect(pending.count == 0 && table.count == 200)
        Array("id-5".utf8).withUnsafeBytes { pending.append($0, line: 300) }
        let duplicate = pending.insert(into: &table)
        #expect(duplicate?.line == 300 && duplicate?.id == "id-5")
    }
}
