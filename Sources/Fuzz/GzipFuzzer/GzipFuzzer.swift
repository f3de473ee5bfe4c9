import FuzzSupport
import MonitorData
import Platform

/// Fuzzes ``GzipReader`` on arbitrary file contents. The first byte picks the
/// reader's input chunk size and the output buffer size, so member, header
/// and trailer boundaries fall at every position of a chunk. Any input must
/// end in data or a ``DataError`` — never a crash, a hang or a leak.
@main
enum GzipFuzzer {
    static func main() {
        FuzzHarness.run { bytes in
            guard let control = bytes.first else { return }
            let content = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
            let path = FuzzHarness.temporaryFile(content, suffix: ".gz")
            defer { unlink(path) }
            let chunkSizes = [16, 17, 64, 1000, 4096, 65536]
            let outputSizes = [1, 7, 512, 65536]
            let chunk = chunkSizes[Int(control & 0x07) % chunkSizes.count]
            let outputSize = outputSizes[Int(control >> 3) % outputSizes.count]
            let output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize, alignment: 16)
            defer { output.deallocate() }
            do throws(DataError) {
                let reader = try GzipReader(path: path, chunkSize: chunk)
                var total = 0
                while true {
                    let count = try reader.read(into: output)
                    precondition(count >= 0 && count <= outputSize)
                    if count == 0 { break }
                    total += count
                    precondition(reader.bytesOut == total)
                    if total > 4 << 20 { break }  // a bomb: enough
                }
                // Reading past the end stays at the end.
                let after = try reader.read(into: output)
                precondition(after == 0)
            } catch {
                precondition(!error.description.isEmpty && error.file == path)
            }
            if control & 0x40 != 0 {
                // readAll with a small limit: the limit is an error, not a crash.
                _ = try? GzipReader.readAll(path: path, limit: 4096)
            }
        }
    }
}
