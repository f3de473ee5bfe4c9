import Testing

@testable import MonitorStore

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
}
