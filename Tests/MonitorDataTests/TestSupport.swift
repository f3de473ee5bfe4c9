import Foundation
import MonitorData
import Testing
import TestSupport

/// A fresh temporary directory, removed by ``remove()``.
struct TempDir {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/MonitorDataTests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` (creating parent folders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let full = path + "/" + name
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Writes `bytes` gzip-compressed by the system `gzip` to `name` and returns the full path.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8], level: Int = 6) throws -> String {
        try write(name, try gzip(bytes, level: level))
    }

    @discardableResult
    func writeGzip(_ name: String, _ text: String, level: Int = 6) throws -> String {
        try writeGzip(name, Array(text.utf8), level: level)
    }

    /// Compresses `bytes` with the system `gzip -n -LEVEL`.
    func gzip(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
        let input = path + "/gzip-input-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzipExecutable)
        process.arguments = ["-n", "-f", "-\(level)", input]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gzip failed")
        let output = input + ".gz"
        defer { try? FileManager.default.removeItem(atPath: output) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }
}

let gzipExecutable: String = {
    for candidate in ["/usr/bin/gzip", "/bin/gzip"] where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    return "/usr/bin/gzip"
}()


/// Text-like bytes: words of letters and digits, spaces, commas and newlines.
func sampleText(bytes count: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededGenerator(seed: seed)
    var result: [UInt8] = []
    result.reserveCapacity(count + 16)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    while result.count < count {
        let length = Int(rng.next() % 9) + 1
        for _ in 0..<length { result.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        let r = rng.next() % 10
        result.append(r == 0 ? UInt8(ascii: "\n") : r == 1 ? UInt8(ascii: ",") : UInt8(ascii: " "))
    }
    return Array(result.prefix(count))
}

/// Reads the whole decompressed content through ``GzipReader/read(into:)`` with a small buffer.
func inflate(_ path: String, chunkSize: Int = 256 * 1024, bufferSize: Int = 4096) throws(DataError) -> [UInt8] {
    let reader = try GzipReader(path: path, chunkSize: chunkSize)
    var result: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
    defer { buffer.deallocate() }
    while true {
        let count = try reader.read(into: buffer)
        if count == 0 { return result }
        result.append(contentsOf: buffer[0..<count])
    }
}

/// Runs `body` and returns the ``DataError`` it throws, failing the test when it throws none
/// (or another error).
func dataError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> DataError? {
    #expect(throws: DataError.self, sourceLocation: sourceLocation) { try body() }
}

extension UnsafeRawBufferPointer {
    var string: String { String(decoding: self, as: UTF8.self) }
}
