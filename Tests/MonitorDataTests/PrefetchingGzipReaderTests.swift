import Foundation
import Testing
import TestSupport

@testable import MonitorData

/// What one `read(into:)` call gave.
private enum Step: Equatable {
    case bytes([UInt8])
    case error(DataError)
}

/// Calls `read` with buffer sizes drawn from `seed` until it returns 0, or throws twice.
private func steps(
    _ read: (UnsafeMutableRawBufferPointer) throws(DataError) -> Int, seed: UInt64
) -> [Step] {
    var rng = SeededGenerator(seed: seed)
    var result: [Step] = []
    var errors = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let size = Int(rng.next() % 3 == 0 ? rng.next() % 700_000 + 1 : rng.next() % 70_000 + 1)
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
        do {
            let got = try read(target)
            result.append(.bytes(Array(target[0..<got])))
            if got == 0 { return result }
        } catch {
            result.append(.error(error))
            errors += 1
            if errors == 2 { return result }
        }
    }
}

@Suite("PrefetchingGzipReader")
struct PrefetchingGzipReaderTests {
    /// The read-ahead reader returns exactly what GzipReader returns for the same calls.
    private func expectSame(_ path: String) throws {
        for seed in UInt64(1)...6 {
            let plain = try GzipReader(path: path)
            let expected = steps({ (b) throws(DataError) in try plain.read(into: b) }, seed: seed)
            let ahead = PrefetchingGzipReader(try GzipReader(path: path))
            let got = steps({ (b) throws(DataError) in try ahead.read(into: b) }, seed: seed)
            #expect(got == expected, "seed \(seed)")
        }
    }

    private func bigData() -> [UInt8] {
        var rng = SeededGenerator(seed: 7)
        var data = (0..<600_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data += sampleText(bytes: 3_000_000, seed: 3)
        return data
    }

    @Test("same bytes and short counts as GzipReader on a multi-MB file (and a small one)")
    func valid() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try expectSame(try dir.writeGzip("big.gz", bigData(), level: 1))
        try expectSame(try dir.writeGzip("small.gz", sampleText(bytes: 30_000, seed: 1)))
        let a = try dir.gzip(sampleText(bytes: 900_000, seed: 4))
        let b = try dir.gzip(sampleText(bytes: 500_000, seed: 5))
        try expectSame(try dir.write("multi.gz", a + b))
    }

    @Test("same errors at the same place: truncated, corrupt, trailing garbage")
    func errors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let gz = try dir.gzip(bigData(), level: 1)
        for cut in [gz.count / 3, gz.count / 2 + 17, gz.count - 4, gz.count - 1] {
            try expectSame(try dir.write("cut-\(cut).gz", Array(gz[0..<cut])))
        }
        for at in [gz.count / 2, gz.count * 3 / 4, gz.count - 6] {
            var bad = gz
            bad[at] ^= 0x55
            try expectSame(try dir.write("flip-\(at).gz", bad))
        }
        try expectSame(try dir.write("garbage.gz", gz + Array("junk".utf8)))
    }

    @Test("dropped mid-file: the producer stops and is joined", .timeLimit(.minutes(1)))
    func earlyDeinit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = bigData()
        let path = try dir.writeGzip("big.gz", data, level: 1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        for reads in [0, 5, 6, 9, 20] {
            var read: [UInt8] = []
            do {
                let reader = PrefetchingGzipReader(try GzipReader(path: path))
                for _ in 0..<reads {
                    let count = try reader.read(into: buffer)
                    read += UnsafeRawBufferPointer(rebasing: buffer[..<count])
                }
            }  // the deinit joins the producer: a hang fails the time limit
            #expect(read.elementsEqual(data.prefix(read.count)), "after \(reads) reads")
            #expect(reads == 0 || !read.isEmpty)
        }
    }
}
