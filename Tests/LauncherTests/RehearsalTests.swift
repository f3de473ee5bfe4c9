import Foundation
import Launcher
import Testing

@Suite("Rehearsal of the CML deployment (--as-cml) with a fake driver", .enabled(if: FakeJobs.available, "needs python3 for the fake jobs"))
struct RehearsalTests {
    @Test("every run is PYTHON driver SCRIPT in the bundle-shaped project, its arguments only in JOB_ARGUMENTS, curl forced")
    func runsGoThroughTheDriver() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let rehearsal = try FakeRehearsal(fake)
        let (result, output) = await fake.run(rehearsal.options(fake.definitions(gp: ["JOB_LEVEL_ONLY": "gp-value"])))
        #expect(result.exitStatus == 0, "\(output.joined(separator: "\n"))")

        var expected: [(String, String)] = [("gp", "")]
        for c in 0..<4 {
            expected += [("lgt", "--period \(c),4"), ("cm", "--period \(c),4"), ("gp", "--period \(c + 1),4")]
        }
        let drivers = rehearsal.records()
        #expect(drivers.count == 13)
        // argv: the driver and the entry script, nothing else.
        #expect(drivers.map(\.argv) == expected.map { ["\(rehearsal.root)/jobs/local/run_in_kernel.py", "jobs/cml/\($0.0).py"] })
        #expect(drivers.map { $0.env["JOB_ARGUMENTS"] } == expected.map(\.1))
        // The entry script's part: the binary got exactly the words of JOB_ARGUMENTS.
        #expect(fake.records().map { $0.argv.joined(separator: " ") } == expected.map(\.1))
        #expect(fake.records().map(\.role) == expected.map(\.0))

        let root = URL(fileURLWithPath: rehearsal.root).resolvingSymlinksInPath().path
        for driver in drivers {
            #expect(driver.cwd == root)
            #expect(driver.env["MONITOR_HTTP_TRANSPORT"] == "curl")
            #expect(driver.env["MONITOR_DATA_DIR"] == rehearsal.root + "/data/data")
            #expect(driver.env["MONITOR_STORE_DIR"] == fake.store)
            #expect(driver.env["PATH"] == "/usr/local/bin:/usr/bin:/bin")
            #expect(driver.env["CDSW_API_URL"]?.hasPrefix("http://127.0.0.1:") == true)
            var allowed: Set<String> = [
                "PATH", "LANG", "HOME", "TMPDIR", "MONITOR_DATA_DIR", "MONITOR_STORE_DIR", "MONITOR_LEASE_PID", "CDSW_API_URL",
                "CDSW_APIV2_KEY", "CDSW_PROJECT_ID", "FAKE_ROLE", "FAKE_RECORD", "JOB_ARGUMENTS", "MONITOR_HTTP_TRANSPORT",
            ]
            if driver.env["FAKE_ROLE"] == "gp" { allowed.insert("JOB_LEVEL_ONLY") }
            #expect(Set(driver.env.keys).subtracting(allowed).isEmpty, "unexpected: \(Set(driver.env.keys).subtracting(allowed))")
            // The project as the bundle lays it out: bin/, jobs/, data/.
            #expect(driver.tree["bin"] == ["fake-job"])
            #expect(driver.tree["jobs"] == ["cml", "jobs.json", "local"])
            #expect(driver.tree["jobs/cml"] == ["_helper.py", "cm.py", "gp.py", "lgt.py"])
            #expect(driver.tree["jobs/local"] == ["run_in_kernel.py"])
            #expect(driver.data == ["data": URL(fileURLWithPath: fake.data).resolvingSymlinksInPath().path])
        }
        // bin/ holds the binary itself (a hard link), not a second build.
        let original = try #require(FileManager.default.attributesOfItem(atPath: fake.script)[.systemFileNumber])
        let placed = try #require(FileManager.default.attributesOfItem(atPath: rehearsal.root + "/bin/fake-job")[.systemFileNumber])
        #expect("\(original)" == "\(placed)")
        #expect(
            try JobDefinitions.load(from: rehearsal.root + "/jobs/jobs.json")
                == fake.definitions(gp: ["JOB_LEVEL_ONLY": "gp-value"])
        )
        #expect(output.contains { $0.hasPrefix("cml-local: rehearsing the CML deployment (--as-cml)") && $0.contains(rehearsal.root) })
        #expect(output.last == "Pipeline completed: 13 runs, all succeeded.")
    }

    @Test("a driver exiting 3 stops the pipeline with exit 3, as the binary does without a rehearsal")
    func degradationStop() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let rehearsal = try FakeRehearsal(fake)
        let (result, output) = await fake.run(rehearsal.options(fake.definitions(cm: ["FAKE_EXIT": "3", "FAKE_EXIT_PERIOD": "1"])))
        #expect(result.exitStatus == 3, "\(output.joined(separator: "\n"))")
        #expect(rehearsal.records().count == 6)
        #expect(result.runs().last?.exitCode == 3)
        #expect(output.last?.hasPrefix("Pipeline STOPPED after 6 runs: run #6 Check Model --period 1,4 exited 3") == true)
    }

    @Test("the project is assembled again at each rehearsal; the data set it links to is left alone")
    func reassembly() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let rehearsal = try FakeRehearsal(fake)
        let options = rehearsal.options(fake.definitions(lgt: ["FAKE_STOP": "1"]))
        let (first, _) = await fake.run(options)
        #expect(first.exitStatus == 0)
        try "stale\n".write(toFile: rehearsal.root + "/stale", atomically: true, encoding: .utf8)
        let (second, output) = await fake.run(options)
        #expect(second.exitStatus == 0, "\(output.joined(separator: "\n"))")
        #expect(!FileManager.default.fileExists(atPath: rehearsal.root + "/stale"))
        #expect(try String(contentsOfFile: fake.data + "/marker", encoding: .utf8) == "keep me\n")
        #expect(rehearsal.records().count == 4)
    }

    @Test("without the kernel driver in the source project nothing runs, and the error names it")
    func missingDriver() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let rehearsal = try FakeRehearsal(fake, driver: false)
        let (result, output) = await fake.run(rehearsal.options(fake.definitions()))
        #expect(result.exitStatus == 1)
        #expect(fake.records().isEmpty)
        #expect(output.first == "ERROR: --as-cml: no kernel driver jobs/local/run_in_kernel.py in \(rehearsal.source) (it runs each entry script in a Jupyter kernel)")
    }

    @Test("a job whose entry script is missing fails before anything runs")
    func missingScript() async throws {
        let fake = try FakeJobs()
        defer { fake.remove() }
        let rehearsal = try FakeRehearsal(fake)
        var jobs = fake.definitions()
        jobs.jobs[1].script = "jobs/cml/nowhere.py"
        let (result, output) = await fake.run(rehearsal.options(jobs))
        #expect(result.exitStatus == 1)
        #expect(fake.records().isEmpty)
        #expect(output.first == "ERROR: --as-cml: job 'Load Ground Truth': its entry script jobs/cml/nowhere.py is not in \(rehearsal.source)")
    }
}
