import Foundation

/// The folder holding the built executables: `PERIOD_PIPELINE_BIN`, else the
/// folder of the running test binary (SwiftPM puts both in `.build/<config>`).
public func executablesDirectory() -> String {
    if let dir = ProcessInfo.processInfo.environment["PERIOD_PIPELINE_BIN"], !dir.isEmpty { return dir }
    var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    // On some platforms the test binary sits inside a bundle.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("get-predictions").path),
        dir.path != "/"
    {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}

/// What a finished process did.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

/// Runs an executable with exactly `environment` (nothing inherited), as a user would.
public func runExecutable(
    _ path: String,
    _ arguments: [String],
    environment: [String: String] = ["PATH": "/usr/bin:/bin"],
    directory: String? = nil
) throws -> ProcessResult {
    let scratch = try makeTemporaryDirectory("run")
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let out = "\(scratch)/stdout", err = "\(scratch)/stderr"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = environment.merging(sanitizerEnvironment) { given, _ in given }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: try String(contentsOfFile: out, encoding: .utf8),
        stderr: try String(contentsOfFile: err, encoding: .utf8)
    )
}

/// Runs one of the package's executables by product name.
public func runProduct(
    _ product: String,
    _ arguments: [String],
    environment: [String: String] = ["PATH": "/usr/bin:/bin"],
    directory: String? = nil
) throws -> ProcessResult {
    try runExecutable("\(executablesDirectory())/\(product)", arguments, environment: environment, directory: directory)
}

/// Every regular file under `directory` with its content, for before/after comparisons.
public func snapshot(_ directory: String) -> [String: Data] {
    var files: [String: Data] = [:]
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return files }
    for case let relative as String in walker {
        let path = "\(directory)/\(relative)"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files[relative] = FileManager.default.contents(atPath: path)
        }
    }
    return files
}

/// The sanitizer options of the test run (`ASAN_OPTIONS`, `LSAN_OPTIONS`,
/// `TSAN_OPTIONS`, `UBSAN_OPTIONS`), passed on to the processes tests start,
/// so a sanitizer build of the suite can be tuned as a whole (e.g.
/// `ASAN_OPTIONS=detect_leaks=0`).
public let sanitizerEnvironment: [String: String] = ProcessInfo.processInfo.environment.filter {
    ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"].contains($0.key)
}
