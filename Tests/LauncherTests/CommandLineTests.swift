import Foundation
import Launcher
import Testing

/// `cml-local` as a user runs it: the built binary beside the test bundle.
/// The `cml-local` built beside the test bundle, if any.
let cmlLocalBinary: String? = {
    let directory = (ExecutableLocator.currentExecutablePath() as NSString).deletingLastPathComponent
    let path = directory + "/cml-local"
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}()

@Suite("cml-local binary", .enabled(if: cmlLocalBinary != nil, "cml-local is not built"))
struct CommandLineTests {
    /// Runs cml-local with `arguments` in `directory`; returns exit status, stdout, stderr.
    static func run(_ arguments: [String], in directory: String) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cmlLocalBinary!)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // The shell's MONITOR_DATA_DIR and MONITOR_STORE_DIR would be cml-local's defaults.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MONITOR_") }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test("an invalid --period prints the contract's ERROR and exits 1 without running anything")
    func invalidPeriod() throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let jobsFile = try fake.writeJobsFile(fake.definitions())
        let (status, stdout, stderr) = try Self.run(["run", "--jobs", jobsFile, "--period", "5,2"], in: fake.directory)
        #expect(status == 1)
        #expect(stderr.contains("ERROR: Invalid parameter format. Expected 'current_period,total_periods'"))
        #expect(stdout.isEmpty)
        #expect(fake.records().isEmpty)
    }

    @Test(
        "a --run-timeout beyond CML's int32 seconds (or not a positive number) is a usage error, not a crash",
        arguments: ["inf", "1e300", "2147483648", "nan", "0"]
    )
    func runTimeoutOutOfRange(value: String) throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let jobsFile = try fake.writeJobsFile(fake.definitions())
        let (status, stdout, stderr) = try Self.run(["run", "--jobs", jobsFile, "--run-timeout", value], in: fake.directory)
        #expect(status == 64)
        #expect(stderr.contains("--run-timeout must be a positive number of seconds up to 2147483647, got "), "\(stderr)")
        #expect(stdout.isEmpty)
        #expect(fake.records().isEmpty)
    }

    @Test("a timeout_seconds beyond CML's int32 seconds in jobs.json is one ERROR line, not a crash")
    func jobTimeoutOutOfRange() throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let jobsFile = try fake.writeJobsFile(fake.definitions(timeoutSeconds: Int.max))
        let (status, stdout, stderr) = try Self.run(["run", "--jobs", jobsFile, "--store", "store"], in: fake.directory)
        #expect(status == 1)
        #expect(
            stderr == "ERROR: \(jobsFile): job #1 ('Get Predictions') has timeout_seconds \(Int.max); "
                + "the most is 2147483647 (CML's limit), 0 for none\n"
        )
        #expect(stdout.isEmpty)
        #expect(fake.records().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fake.store))
    }

    @Test("a whole fake pipeline through the binary: trigger lines in its output, exit 0, store default")
    func wholePipeline() throws {
        guard FakeJobs.available else { return }
        let fake = try FakeJobs()
        defer { fake.remove() }
        let jobsFile = try fake.writeJobsFile(fake.definitions(gp: ["FAKE_TOTAL": "2"]))
        try fake.writeMetadata(name: "my-set", periods: 1, in: fake.directory + "/data/my-set")
        let (status, stdout, _) = try Self.run(["run", "--jobs", jobsFile, "--data", "data/my-set"], in: fake.directory)
        #expect(status == 0, "\(stdout)")
        #expect(stdout.contains("✓ Triggered job: Load Ground Truth (Period 0/2)"))
        #expect(stdout.contains("Pipeline completed: 7 runs, all succeeded."))
        // --data reaches the jobs as an absolute MONITOR_DATA_DIR; without --store no MONITOR_STORE_DIR,
        // and the launcher keeps its history in the jobs' default store, state/<data set name>.
        let records = fake.records()
        #expect(records.count == 7)
        #expect(records.allSatisfy { $0.env["MONITOR_DATA_DIR"] == fake.directory + "/data/my-set" && $0.env["MONITOR_STORE_DIR"] == nil })
        #expect(LauncherStore(root: fake.directory + "/state/my-set").history().count == 7)
    }

    @Test("without --max-runs the limit follows the data set's T: 3T+1 runs and a margin of 10")
    func defaultMaxRunsFollowsTheDataSet() throws {
        guard FakeJobs.available else { return }
        let fake = try FakeJobs()
        defer { fake.remove() }
        // The fake jobs go on for 10 periods; the data set says 1.
        let jobsFile = try fake.writeJobsFile(fake.definitions(gp: ["FAKE_TOTAL": "10"]))
        try fake.writeMetadata(name: "one", periods: 1, in: fake.directory + "/data/one")
        let (status, stdout, _) = try Self.run(["run", "--jobs", jobsFile, "--data", "data/one", "--store", "store"], in: fake.directory)
        #expect(status == 1)
        #expect(stdout.contains("the maximum of 14 runs per pipeline is reached (--max-runs)"), "\(stdout)")
        #expect(fake.records().count == 14)
    }
}
