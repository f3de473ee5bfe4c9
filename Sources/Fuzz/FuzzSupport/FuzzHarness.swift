@preconcurrency import Platform

/// The entry point shared by the fuzz targets.
///
/// Built with `-sanitize=fuzzer -DFUZZING` (see `scripts/fuzz`), `run` hands
/// `body` to libFuzzer's driver, which parses libFuzzer's own flags. In a
/// normal build it replays inputs instead: each argument is a file (a crash
/// artifact, a corpus entry) or a directory of them, fed to `body` once — so
/// the targets build and link everywhere and a finding reproduces without the
/// sanitizer toolchain.
public enum FuzzHarness {
    nonisolated(unsafe) private static var body: ((UnsafeRawBufferPointer) -> Void)?

    static func testOneInput(_ bytes: UnsafeRawBufferPointer) {
        body!(bytes)
    }

    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        #if FUZZING
        Self.body = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
        #else
        var inputs = 0
        for argument in CommandLine.arguments.dropFirst() {
            for file in files(at: argument) {
                guard let bytes = readFile(file) else {
                    fputs("cannot read \(file)\n", stderr)
                    exit(2)
                }
                bytes.withUnsafeBytes { body($0) }
                inputs += 1
            }
        }
        print("replayed \(inputs) input(s) without a crash")
        exit(0)
        #endif
    }

    private static func files(at path: String) -> [String] {
        guard let directory = opendir(path) else { return [path] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Writes `bytes` to a fresh file under `/dev/shm` (or `/tmp`) and returns its path; the caller unlinks it.
    public static func temporaryFile(_ bytes: UnsafeRawBufferPointer, suffix: String) -> String {
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(directory)/pp-fuzz-XXXXXX\(suffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        precondition(fd >= 0, "mkstemps failed")
        precondition(writeAll(fd, bytes), "write failed")
        close(fd)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

#if FUZZING
/// libFuzzer's runtime refers to this symbol; the driver is given the same function.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.testOneInput(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

import CZlib

extension FuzzHarness {
    /// `bytes` as a valid gzip file whose deflate stream is made of stored
    /// blocks, so the fuzzer's bytes reach the CSV parser as they are.
    public static func storedGzip(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            out.append(final)
            out.append(UInt8(length & 0xff))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xff))
            out.append(UInt8((~length >> 8) & 0xff))
            if length > 0 { out.append(contentsOf: bytes[offset..<(offset + length)]) }
            offset += length
        } while offset < bytes.count
        let crc = bytes.count == 0 ? 0 : UInt32(crc32(0, bytes.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
        for value in [crc, UInt32(truncatingIfNeeded: bytes.count)] {
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xff)) }
        }
        return out
    }
}
