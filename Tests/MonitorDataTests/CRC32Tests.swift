import CCRC32
import CZlib
import Testing
import TestSupport

@Suite("CRC-32 with carry-less multiplication")
struct CRC32Tests {
    /// Every length from 0 to 300, at every alignment in a 16-byte block, and
    /// a few megabytes, continuing from zero and from other values: the same as zlib's crc32_z.
    @Test func matchesZlib() {
        var random = SeededGenerator(seed: 11)
        let bytes = (0..<(3 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        bytes.withUnsafeBufferPointer { all in
            let base = all.baseAddress!
            var mismatches = 0
            for length in 0...300 {
                for offset in 0..<16 {
                    let start: UInt32 = length % 3 == 0 ? 0 : UInt32(truncatingIfNeeded: random.next())
                    let expected = UInt32(crc32_z(UInt(start), base + offset, length))
                    if ccrc32_update(start, base + offset, length) != expected { mismatches += 1 }
                }
            }
            #expect(mismatches == 0)
            for length in [1 << 16, (1 << 20) + 13, all.count - 5] {
                #expect(ccrc32_update(0, base + 5, length) == UInt32(crc32_z(0, base + 5, length)))
            }
        }
    }
}
