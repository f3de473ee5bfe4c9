import Foundation
import JobClient
import Launcher
import PeriodArgs
import Platform
import Testing

@Suite("Launcher pipelines with fake jobs", .enabled(if: FakeJobs.available, "needs python3 for the fake jobs"))
struct PipelineTests {
    @Test("a 3-job chain over 4 periods is exactly 3T+1 runs in order, with the right arguments")
    func fullChain() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let (result, output) = await fake.run(fake.options(fake.definitions(cm: ["FAKE_METRICS": "1"])))

        #expect(result.exitStatus == 0, "\(output.joined(separator: "\n"))")
        var expected: [(String, String)] = [("gp", "")]
        for c in 0..<4 {
            expected += [("lgt", "--period \(c),4"), ("cm", "--period \(c),4"), ("gp", "--period \(c + 1),4")]
        }
        let records = fake.records()
        #expect(records.map(\.role) == expected.map(\.0))
        #expect(records.map { $0.argv.joined(separator: " ") } == expected.map(\.1))
        #expect(result.runs().count == 13)
        #expect(result.runs().map(\.arguments) == expected.map(\.1))
        #expect(result.runs().allSatisfy { $0.status == "ENGINE_SUCCEEDED" && $0.exitCode == 0 })
        #expect(result.runs().map(\.sequence) == Array(1...13))

        // Output streamed with a per-run prefix, progress lines, summary.
        #expect(output.contains("  [#1 Get Predictions] ✓ Triggered job: Load Ground Truth (Period 0/4)"))
        #expect(output.contains("  [#1 Get Predictions] stderr: gp says hello on stderr"))
        #expect(output.contains { $0.hasPrefix("✔ #13 Get Predictions --period 4,4 — run ") && $0.contains("ENGINE_SUCCEEDED (exit 0)") })
        #expect(output.contains("  [#13 Get Predictions] All periods completed! (Period 4 = Total 4)"))
        let summary = output.drop { !$0.hasPrefix("Summary") }.dropFirst().prefix(5).map { $0.split(separator: " ").joined(separator: " ") }
        #expect(summary == [
            "period accuracy labeled decision degraded",
            "0 90.00% 100 continue no",
            "1 n/a 101 continue no",
            "2 92.00% 102 continue no",
            "3 93.00% 103 last_period no",
        ])
        #expect(output.contains("  accuracy by period: ▁·▆█  (90.00% … 93.00%)"))
        #expect(!output.joined().contains("\u{1B}["))  // no colours unless asked (a terminal)
        #expect(output.contains("Report: \(fake.store)/report.html"))
        #expect(output.last == "Pipeline completed: 13 runs, all succeeded.")

        // History and logs in the store.
        let store = LauncherStore(root: fake.store)
        let history = store.history()
        #expect(history.count == 13)
        #expect(Set(history.map(\.session)).count == 1)
        #expect(history.allSatisfy { $0.runningAt != nil && !$0.createdAt.isEmpty && !$0.finishedAt.isEmpty })
        let firstLog = try String(contentsOfFile: store.logFile(runID: history[0].id), encoding: .utf8)
        #expect(firstLog.contains("gp says hello on stderr"))
        #expect(firstLog.contains("✓ Triggered job: Load Ground Truth (Period 0/4)"))
    }

    @Test("a job gets only the base, platform, job-level and MONITOR_* variables")
    func environmentIsolation() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        setenv("LAUNCHER_TEST_LEAK", "from-the-launcher", 1)
        var options = fake.options(fake.definitions(gp: ["FAKE_TOTAL": "1", "JOB_LEVEL_ONLY": "gp-value"]))
        options.hostEnvironment = ProcessInfo.processInfo.environment
        #expect(options.hostEnvironment["LAUNCHER_TEST_LEAK"] == "from-the-launcher")
        let (result, output) = await fake.run(options)
        #expect(result.exitStatus == 0, "\(output.joined(separator: "\n"))")

        let records = fake.records()
        #expect(records.count == 4)
        for record in records {
            #expect(record.env["LAUNCHER_TEST_LEAK"] == nil)
            #expect(record.env["PATH"] == "/usr/local/bin:/usr/bin:/bin")
            #expect(record.env["LANG"] == "C.UTF-8")
            #expect(record.env["MONITOR_DATA_DIR"] == fake.data)
            #expect(record.env["MONITOR_STORE_DIR"] == fake.store)
            #expect(record.env["CDSW_API_URL"]?.hasPrefix("http://127.0.0.1:") == true)
            #expect(record.env["CDSW_API_URL"]?.hasSuffix("/api/v1") == true)
            #expect(record.env["CDSW_APIV2_KEY"]?.count == 64)
            #expect(record.env["CDSW_PROJECT_ID"]?.wholeMatch(of: /[a-z0-9]{4}(-[a-z0-9]{4}){3}/) != nil)
            var allowed: Set<String> = [
                "PATH", "LANG", "HOME", "TMPDIR", "MONITOR_DATA_DIR", "MONITOR_STORE_DIR", "MONITOR_LEASE_PID",
                "CDSW_API_URL", "CDSW_APIV2_KEY", "CDSW_PROJECT_ID", "FAKE_ROLE", "FAKE_RECORD",
            ]
            if record.role == "gp" { allowed.formUnion(["FAKE_TOTAL", "JOB_LEVEL_ONLY"]) }
            #expect(Set(record.env.keys).subtracting(allowed).isEmpty, "unexpected: \(Set(record.env.keys).subtracting(allowed))")
        }
        #expect(records.filter { $0.role == "gp" }.allSatisfy { $0.env["JOB_LEVEL_ONLY"] == "gp-value" })
        #expect(records.filter { $0.role != "gp" }.allSatisfy { $0.env["JOB_LEVEL_ONLY"] == nil })
        // One launcher session: same key and project for every run.
        #expect(Set(records.compactMap { $0.env["CDSW_APIV2_KEY"] }).count == 1)
    }

    @Test("the environment of a create-run request reaches that run only")
    func perRunEnvironment() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let (result, _) = await fake.run(fake.options(fake.definitions(gp: ["FAKE_SEND_ENV": "for-lgt"], lgt: ["FAKE_STOP": "1"])))
        #expect(result.exitStatus == 0)
        let records = fake.records()
        #expect(records.map(\.role) == ["gp", "lgt"])
        #expect(records[0].env["PER_RUN"] == nil)
        #expect(records[1].env["PER_RUN"] == "for-lgt")
    }

    @Test("--period starts the first run with it; a run exiting 3 stops the pipeline with exit 3")
    func degradationStop() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        var options = fake.options(fake.definitions(cm: ["FAKE_EXIT": "3", "FAKE_EXIT_PERIOD": "2"]))
        options.period = try Period(parsing: "1,4")
        let (result, output) = await fake.run(options)
        #expect(result.exitStatus == 3, "\(output.joined(separator: "\n"))")
        #expect(fake.records().map { $0.argv.joined(separator: " ") } == [
            "--period 1,4", "--period 1,4", "--period 1,4", "--period 2,4", "--period 2,4", "--period 2,4",
        ])
        #expect(result.runs().last?.status == "ENGINE_FAILED")
        #expect(result.runs().last?.exitCode == 3)
        #expect(output.last?.hasPrefix("Pipeline STOPPED after 6 runs: run #6 Check Model --period 2,4 exited 3") == true)
    }

    @Test("a run exiting 1 fails the pipeline with exit 1 and no further runs")
    func failure() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let (result, output) = await fake.run(fake.options(fake.definitions(lgt: ["FAKE_EXIT": "1", "FAKE_EXIT_PERIOD": "0"])))
        #expect(result.exitStatus == 1)
        #expect(fake.records().map(\.role) == ["gp", "lgt"])
        #expect(output.last?.contains("Pipeline FAILED after 2 runs: run #2 Load Ground Truth --period 0,4 ENGINE_FAILED: exited with status 1") == true)
    }

    @Test("a run past --run-timeout is ENGINE_TIMEDOUT (SIGTERM, then SIGKILL) and the pipeline exits 1", .timeLimit(.minutes(1)))
    func timeout() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        // Load Ground Truth ignores SIGTERM, so only SIGKILL after the grace period ends it.
        var options = fake.options(fake.definitions(lgt: ["FAKE_SLEEP": "30", "FAKE_IGNORE_TERM": "1"]))
        // Long enough for the first fake job to finish on a loaded machine.
        options.runTimeout = .seconds(5)
        options.killGrace = .seconds(1)
        let (result, output) = await fake.run(options)
        #expect(result.exitStatus == 1)
        #expect(result.runs().map(\.status) == ["ENGINE_SUCCEEDED", "ENGINE_TIMEDOUT"])
        #expect(result.runs().last?.signal == SIGKILL)
        #expect(output.contains { $0.hasPrefix("✘ #2 Load Ground Truth --period 0,4") && $0.contains("ENGINE_TIMEDOUT") })
    }

    @Test("the same job requested twice with the same arguments is refused (409) and fails the pipeline")
    func duplicateGuard() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        // The old bug: Check Model triggers the same period again.
        let (result, output) = await fake.run(fake.options(fake.definitions(cm: ["FAKE_NO_INCREMENT": "1"])))
        #expect(result.exitStatus == 1)
        // gp, lgt 0, cm 0, gp 0 (new: it had no arguments before), then lgt 0 again → refused.
        #expect(fake.records().map(\.role) == ["gp", "lgt", "cm", "gp"])
        #expect(result.runs().last?.status == "ENGINE_FAILED")
        let explanation = try #require(output.last)
        #expect(explanation.hasPrefix("Pipeline FAILED after 4 runs: run of 'Load Ground Truth' with arguments '--period 0,4' refused"))
        #expect(explanation.contains("the 'stuck on period 0' loop of the old environment-variable version"))
        let log = try String(contentsOfFile: result.runs()[3].log, encoding: .utf8)
        #expect(log.contains("trigger failed: HTTP 409"))
        #expect(log.contains("The same job ran twice with the same --period"))
    }

    @Test("--max-runs refuses the run past the limit and fails the pipeline")
    func maxRuns() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        var options = fake.options(fake.definitions())
        options.maxRuns = 2
        let (result, output) = await fake.run(options)
        #expect(result.exitStatus == 1)
        #expect(fake.records().count == 2)
        #expect(output.last?.contains("the maximum of 2 runs per pipeline is reached (--max-runs)") == true)
    }

    @Test("shell metacharacters in arguments reach the job as plain argv words and run nothing")
    func noShell() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let marker = fake.directory + "/pwned"
        let arguments = "--period 0,1 ; touch \(marker) $(touch \(marker)) `touch \(marker)` && echo x | cat > \(marker) 'quoted words'"
        let (result, _) = await fake.run(fake.options(fake.definitions(gp: ["FAKE_ARGS": arguments], lgt: ["FAKE_STOP": "1"])))
        #expect(result.exitStatus == 0)
        let records = fake.records()
        #expect(records.count == 2)
        #expect(records.last?.argv == arguments.split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(records.last?.argv.contains("$(touch") == true)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("interrupting the launcher stops the running job and exits 130", .timeLimit(.minutes(1)))
    func interrupt() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        var options = fake.options(fake.definitions(gp: ["FAKE_SLEEP": "30"]))
        options.killGrace = .seconds(1)
        // Once the job says it started: it is running (and then sleeps 30 s).
        let (result, output) = await fake.run(options, interruptOn: "gp says hello on stderr")
        #expect(result.exitStatus == 130)
        #expect(result.runs().map(\.status) == ["ENGINE_STOPPED"])
        #expect(output.last?.hasPrefix("Pipeline INTERRUPTED after 1 run") == true)
    }

    @Test("a missing executable fails before anything runs")
    func missingExecutable() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        var jobs = fake.definitions()
        jobs.jobs[2].executable = "no-such-product"
        let (result, output) = await fake.run(fake.options(jobs))
        #expect(result.exitStatus == 1)
        #expect(fake.records().isEmpty)
        #expect(output.contains { $0.contains("job 'Check Model': executable not found") })
    }
}
