import Foundation
import Platform
import TestSupport
import Testing

/// A data set and a store in a temporary folder, removed by ``remove()``.
struct Sandbox {
    let root: String
    var data: String { "\(root)/data" }
    var store: String { "\(root)/store" }

    init(root: String) {
        self.root = root
    }

    /// A new sandbox with `periods` written as the data set.
    static func make(_ periods: [PeriodFixture], label: String = "rel") throws -> Sandbox {
        let sandbox = Sandbox(root: try makeTemporaryDirectory(label))
        try writeDataSet(periods, to: sandbox.data)
        return sandbox
    }

    /// A copy of this sandbox (data and store) in a new temporary folder.
    func copy(label: String = "rel") throws -> Sandbox {
        let copy = Sandbox(root: try makeTemporaryDirectory(label))
        try FileManager.default.removeItem(atPath: copy.root)
        try FileManager.default.copyItem(atPath: root, toPath: copy.root)
        return copy
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    func predictions(_ period: Int) -> String { "\(data)/predictions/\(String(format: "period_%04d.csv.gz", period))" }
    func labels(_ period: Int) -> String { "\(data)/labels/\(String(format: "period_%04d.csv.gz", period))" }
    var metadata: String { "\(data)/metadata.json.gz" }
    func periodDirectory(_ period: Int) -> String { "\(store)/periods/\(String(format: "%04d", period))" }

    /// Runs a job with `--data` and `--store` of this sandbox and exactly `environment`,
    /// waiting off the cooperative thread pool.
    func run(_ job: String, _ arguments: [String], environment: [String: String] = [:], data: String? = nil) async throws
        -> ProcessResult
    {
        let sandbox = self
        return try await detached { try sandbox.runSync(job, arguments, environment: environment, data: data) }
    }

    func runSync(_ job: String, _ arguments: [String], environment: [String: String] = [:], data: String? = nil) throws
        -> ProcessResult
    {
        try runProduct(
            job, arguments + ["--data", data ?? self.data, "--store", store],
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }, directory: root
        )
    }

    /// Runs get-predictions, load-ground-truth and check-model for `period` of `total`.
    func runPeriod(_ period: Int, of total: Int, data: String? = nil) throws {
        for job in ["get-predictions", "load-ground-truth", "check-model"] {
            let result = try runSync(job, ["--period", "\(period),\(total)"], data: data)
            guard result.status == 0 else {
                throw FixtureError("\(job) --period \(period),\(total) failed: \(result.stderr)")
            }
        }
    }
}

/// Checks the contract of a failed job: exit status 1, exactly one line on
/// standard error, which starts with `ERROR:` and contains every needle, and
/// nothing triggered (no standalone "next step" line, no trigger line).
func expectOneError(
    _ result: ProcessResult, _ needles: [String], _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status == 1, "\(label): exit status \(result.status)\n\(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "\(label): expected exactly one stderr line, got \(lines.count):\n\(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("ERROR: ") == true, "\(label): \(result.stderr)", sourceLocation: sourceLocation)
    for needle in needles {
        #expect(result.stderr.contains(needle), "\(label): '\(needle)' not in \(result.stderr)", sourceLocation: sourceLocation)
    }
    expectNothingTriggered(result, label, sourceLocation: sourceLocation)
}

func expectNothingTriggered(_ result: ProcessResult, _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!result.stdout.contains("run the next step"), "\(label): \(result.stdout)", sourceLocation: sourceLocation)
    #expect(!result.stdout.contains("Triggered"), "\(label): \(result.stdout)", sourceLocation: sourceLocation)
}

/// Files under `directory` (relative path → content), with launcher files left out when asked.
func storeFiles(_ directory: String, includeLauncher: Bool = true) -> [String: Data] {
    // The launcher's own outputs (history, logs, lock, the report it rewrites each run) are not job outputs.
    snapshot(directory).filter {
        includeLauncher || !($0.key.hasPrefix("launcher/") || $0.key == ".lock" || $0.key == "report.html")
    }
}

/// Temporary files the store's atomic writes leave behind when killed (`.NAME.tmp-PID-TAG`).
func temporaryFiles(_ directory: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
    var found: [String] = []
    for case let relative as String in walker where (relative as NSString).lastPathComponent.contains(".tmp-") {
        found.append(relative)
    }
    return found.sorted()
}

/// The bytes of a file, or `nil` when it does not exist.
func contents(_ path: String) -> Data? {
    FileManager.default.contents(atPath: path)
}

func write(_ data: Data, to path: String) throws {
    try data.write(to: URL(fileURLWithPath: path))
}

/// `rows` prediction rows (`id,prediction,score`) and their labels, seeded.
func generatedPeriod(
    period: Int, rows: Int, accuracy: Double = 0.9, seed: UInt64, unknownLabels: Int = 3, unlabeledEvery: Int = 10
) -> PeriodFixture {
    var rng = SeededGenerator(seed: seed)
    var predictions = "id,prediction,score\n"
    var labels = "id,label\n"
    predictions.reserveCapacity(rows * 24)
    labels.reserveCapacity(rows * 16)
    for i in 0..<rows {
        let truth = Bool.random(using: &rng)
        let predicted = Double.random(in: 0..<1, using: &rng) < accuracy ? truth : !truth
        let score = predicted ? Double.random(in: 0.5...1, using: &rng) : Double.random(in: 0..<0.5, using: &rng)
        predictions += "p\(period)-\(i),\(predicted ? 1 : 0),\((score * 1000).rounded() / 1000)\n"
        if i % unlabeledEvery != unlabeledEvery - 1 { labels += "p\(period)-\(i),\(truth ? 1 : 0)\n" }
    }
    for u in 0..<unknownLabels { labels += "unknown-\(period)-\(u),1\n" }
    return PeriodFixture(predictionsCSV: predictions, labelsCSV: labels, rows: rows)
}

/// A process of ours, started without waiting: its pid, for signals.
/// Runs `body` on a thread of its own and waits for it without holding a thread of
/// the cooperative pool: the tests wait for child processes for seconds, and the
/// in-process servers and timers of the other suites need that pool (2 threads on 2 cores).
func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}

func runProductAsync(
    _ product: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"], directory: String? = nil
) async throws -> ProcessResult {
    try await detached { try runProduct(product, arguments, environment: environment, directory: directory) }
}

func runExecutableAsync(
    _ path: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"], directory: String? = nil
) async throws -> ProcessResult {
    try await detached { try runExecutable(path, arguments, environment: environment, directory: directory) }
}

// Process is safe to wait on and signal from any thread.
final class Spawned: @unchecked Sendable {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String], directory: String, logs: String) throws {
        stdoutPath = logs + ".stdout"
        stderrPath = logs + ".stderr"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging(sanitizerEnvironment) { given, _ in given }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    /// Sends `signal` while the process runs (once it has been reaped, its pid may belong to another).
    func kill(_ signal: Int32 = SIGKILL) {
        guard process.isRunning else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for the process; returns its exit status (or 128 + signal).
    @discardableResult
    func wait() async -> Int32 {
        (try? await detached { [self] in
            process.waitUntilExit()
            return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        }) ?? -1
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every millisecond for up to `timeout`; `true` once it holds.
@discardableResult
func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .microseconds(500))
    }
    return condition()
}

/// Pids of processes (other than us) whose environment has `NAME=VALUE`:
/// job runs a killed launcher left behind.
func processes(withEnvironment entry: String) -> [pid_t] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    let needle = Data(entry.utf8)
    var found: [pid_t] = []
    for name in names {
        guard let pid = pid_t(name), pid != getpid(),
            let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
        else { continue }
        if environ.split(separator: 0).contains(where: { Data($0) == needle }) { found.append(pid) }
    }
    return found
}

/// The jobs file of a local project running the package's executables (found
/// beside `cml-local`), with short timeouts and a policy that never stops.
func writeJobsFile(
    to path: String, executables: [String: String] = [:], environment: [String: [String: String]] = [:]
) throws {
    let names = [
        ("Get Predictions", "get-predictions"), ("Load Ground Truth", "load-ground-truth"), ("Check Model", "check-model"),
    ]
    var jobs: [[String: Any]] = []
    for (name, product) in names {
        var env = (environment[name] ?? [:]).merging(sanitizerEnvironment) { given, _ in given }
        if name == "Check Model" { env["MONITOR_ON_DEGRADATION"] = env["MONITOR_ON_DEGRADATION"] ?? "continue" }
        jobs.append([
            "name": name, "executable": executables[name] ?? product, "script": "jobs/cml/x.py", "cpu": 1, "memory": 2,
            "timeout_seconds": 120, "environment": env,
        ])
    }
    let data = try JSONSerialization.data(withJSONObject: ["jobs": jobs], options: [.sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
}

/// A job wrapper script: records its argv and CML variables in `$TRACE_DIR`,
/// waits for the file `$GATE` when set, then execs `$REAL_JOB`.
func writeWrapperScript(to path: String) throws {
    let script = """
        #!/bin/sh
        { for a in "$@"; do printf '%s\\n' "$a"; done; } > "$TRACE_DIR/argv.$$"
        printf '%s %s %s\\n' "$CDSW_API_URL" "$CDSW_APIV2_KEY" "$CDSW_PROJECT_ID" > "$TRACE_DIR/api.tmp.$$"
        mv "$TRACE_DIR/api.tmp.$$" "$TRACE_DIR/api.$$"
        if [ -n "$GATE" ]; then
            i=0
            while [ ! -e "$GATE" ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done
        fi
        exec "$REAL_JOB" "$@"

        """
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
}

/// `cml-local run …` in `directory`, waited for.
func runLauncher(_ arguments: [String], in directory: String) async throws -> ProcessResult {
    try await runProductAsync("cml-local", ["run"] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": directory], directory: directory)
}
