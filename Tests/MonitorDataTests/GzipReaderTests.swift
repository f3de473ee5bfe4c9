import Foundation
import MonitorData
import Testing
import TestSupport

@Suite("GzipReader")
struct GzipReaderTests {
    @Test("round trip against the system gzip", arguments: [1, 6, 9])
    func roundTrip(level: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let text = sampleText(bytes: 300_000, seed: UInt64(level))
        let path = try dir.writeGzip("data.gz", text, level: level)
        // Small input chunks and output buffers: many refills and drains.
        #expect(try inflate(path, chunkSize: 1000, bufferSize: 777) == text)
        #expect(try inflate(path) == text)
        #expect(try GzipReader.readAll(path: path) == text)
    }

    @Test("a big file across many chunks")
    func bigFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SeededGenerator(seed: 99)
        // Half incompressible, half text: several 256 KiB input chunks.
        var data = (0..<1_500_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data += sampleText(bytes: 3_000_000, seed: 5)
        let path = try dir.writeGzip("big.gz", data, level: 1)
        #expect(try inflate(path, bufferSize: 64 * 1024) == data)
    }

    @Test("multi-member files (cat a.gz b.gz), with an empty member")
    func multiMember() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = sampleText(bytes: 50_000, seed: 1)
        let b = sampleText(bytes: 70_000, seed: 2)
        let empty = try dir.gzip([])
        let joined = try dir.gzip(a) + empty + dir.gzip(b, level: 9) + empty
        let path = try dir.write("multi.gz", joined)
        #expect(try inflate(path) == a + b)
        #expect(try inflate(path, chunkSize: 16, bufferSize: 1) == a + b)
        let onlyEmpty = try dir.write("empty-member.gz", empty)
        #expect(try inflate(onlyEmpty).isEmpty)
        let twoEmpty = try dir.write("two-empty.gz", empty + empty)
        #expect(try inflate(twoEmpty).isEmpty)
    }

    @Test("a file cut short is truncated", arguments: [1, 2, 5, 10, 11, 100, 5_000, -9, -8, -4, -1])
    func truncated(cut: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let full = try dir.gzip(sampleText(bytes: 40_000, seed: 3))
        let length = cut > 0 ? cut : full.count + cut
        let path = try dir.write("cut.gz", Array(full.prefix(length)))
        let error = dataError { _ = try inflate(path) }
        #expect(error?.kind == .truncated)
        #expect(error?.file == path)
        #expect(error?.description.contains("truncated") == true)
    }

    @Test("a second member cut short is truncated")
    func truncatedSecondMember() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = try dir.gzip(sampleText(bytes: 1000, seed: 1))
        let b = try dir.gzip(sampleText(bytes: 1000, seed: 2))
        let path = try dir.write("cut.gz", a + b.prefix(b.count / 2))
        #expect(dataError { _ = try inflate(path) }?.kind == .truncated)
    }

    @Test("a flipped byte in the compressed body is detected")
    func flippedBody() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var bytes = try dir.gzip(sampleText(bytes: 40_000, seed: 4))
        bytes[bytes.count / 2] ^= 0x55
        let path = try dir.write("flipped.gz", bytes)
        let error = dataError { _ = try inflate(path) }
        #expect(error.map { [.corrupt, .checksumMismatch, .lengthMismatch].contains($0.kind) } == true)
    }

    @Test("a flipped byte in the CRC trailer is a checksum mismatch, thrown again by every later read")
    func flippedCRC() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var bytes = try dir.gzip(sampleText(bytes: 10_000, seed: 5))
        bytes[bytes.count - 8] ^= 0x01
        let path = try dir.write("crc.gz", bytes)
        let error = dataError { _ = try inflate(path) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.message.contains("incorrect data check") == true)
        #expect(error?.file == path && error?.description.hasPrefix(path) == true)
        let reader = try GzipReader(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        let first = dataError { while try reader.read(into: buffer) > 0 {} }
        #expect(first == error && dataError { _ = try reader.read(into: buffer) } == error)
    }

    @Test("a wrong length trailer is a length mismatch")
    func wrongLength() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var bytes = try dir.gzip(sampleText(bytes: 10_000, seed: 6))
        bytes[bytes.count - 4] ^= 0x01
        let path = try dir.write("len.gz", bytes)
        let error = dataError { _ = try inflate(path) }
        #expect(error?.kind == .lengthMismatch)
    }

    /// With small input chunks a member's trailer starts in an earlier chunk,
    /// at every split point: zlib's check still names the right kind and member.
    @Test("trailers split across input chunks are checked", arguments: [16, 17, 19, 23, 29, 64])
    func trailerAcrossChunks(chunkSize: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let first = sampleText(bytes: 3000, seed: 8), second = sampleText(bytes: 2000, seed: 9)
        let a = try dir.gzip(first), b = try dir.gzip(second)
        let good = try dir.write("good.gz", a + b)
        #expect(try inflate(good, chunkSize: chunkSize, bufferSize: 7) == first + second)
        for (at, kind) in [(a.count - 8, DataError.Kind.checksumMismatch), (a.count - 1, .lengthMismatch),
                           (a.count + b.count - 5, .checksumMismatch), (a.count + b.count - 3, .lengthMismatch)] {
            var bad = a + b
            bad[at] ^= 0x20
            let path = try dir.write("bad-\(at).gz", bad)
            let error = dataError { _ = try inflate(path, chunkSize: chunkSize, bufferSize: 7) }
            #expect(error?.kind == kind, "byte \(at)")
            #expect(error?.message.contains("member \(at < a.count ? 1 : 2)") == true)
        }
    }

    @Test("an empty file is an error")
    func emptyFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("empty.gz", [])
        let error = dataError { _ = try GzipReader(path: path) }
        #expect(error?.kind == .notGzip)
        #expect(error?.message.contains("empty file") == true)
    }

    @Test("a file that is not gzip", arguments: ["hello world\n", "\u{1f}", "x", "\u{1f}x rest", "PK\u{3}\u{4}"])
    func notGzip(content: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("plain.gz", Array(content.utf8))
        let error = dataError { _ = try inflate(path) }
        // A lone 1f byte could be the start of a gzip file: truncated.
        let expected: DataError.Kind = content == "\u{1f}" ? .truncated : .notGzip
        #expect(error?.kind == expected)
    }

    @Test("bytes after a member that do not start another member", arguments: [
        Array("garbage".utf8), [0], [0x1f, 0x00, 0x00], [0x8b, 0x1f], Array(repeating: 0, count: 40),
    ])
    func trailingGarbage(tail: [UInt8]) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let text = sampleText(bytes: 5000, seed: 7)
        let path = try dir.write("tail.gz", try dir.gzip(text) + tail)
        let error = dataError { _ = try inflate(path) }
        #expect(error?.kind == .trailingGarbage)
        // The tail may also straddle an input chunk boundary.
        let error2 = dataError { _ = try inflate(path, chunkSize: 16, bufferSize: 3) }
        #expect(error2?.kind == .trailingGarbage)
    }

    @Test("a lone 1f byte after a member looks like a member cut short")
    func loneMagicByte() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("tail.gz", try dir.gzip(Array("abc".utf8)) + [0x1f])
        #expect(dataError { _ = try inflate(path) }?.kind == .truncated)
        #expect(dataError { _ = try inflate(path, chunkSize: 16) }?.kind == .truncated)
    }

    @Test("a missing file, a directory")
    func missingAndDirectory() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let missing = dataError { _ = try GzipReader(path: dir.path + "/nope.gz") }
        #expect(missing?.kind == .notFound)
        #expect(missing?.file == dir.path + "/nope.gz")
        #expect(dataError { _ = try GzipReader(path: dir.path) }?.kind == .io)
        #expect(dataError { _ = try GzipReader(path: dir.path + "/nope/x.gz") }?.kind == .notFound)
    }

    @Test("readAll enforces its limit")
    func readAllLimit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("x.gz", [UInt8](repeating: 65, count: 200_000))
        #expect(try GzipReader.readAll(path: path, limit: 200_000).count == 200_000)
        #expect(dataError { _ = try GzipReader.readAll(path: path, limit: 100_000) }?.kind == .outOfMemory)
    }

    @Test("random damage never hangs or crashes")
    func fuzz() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let text = sampleText(bytes: 20_000, seed: 8)
        let original = try dir.gzip(text) + dir.gzip(Array(text.prefix(500)))
        var rng = SeededGenerator(seed: 2024)
        for round in 0..<300 {
            var bytes = original
            switch round % 3 {
            case 0:  // flip a few bytes
                for _ in 0...(rng.next() % 3) {
                    let index = Int(rng.next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            case 1:  // cut
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            default:  // append random bytes
                bytes += (0..<Int(rng.next() % 20 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            let path = try dir.write("fuzz.gz", bytes)
            do {
                _ = try inflate(path, chunkSize: 4096, bufferSize: 1000)
            } catch {
                #expect(error.file == path)
            }
        }
    }
}
