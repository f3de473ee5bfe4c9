import Foundation
import Launcher
import Synchronization

/// Fake job executables, written at test time: one python3 script playing
/// Get Predictions, Load Ground Truth or Check Model (FAKE_ROLE), which reads
/// the CDSW_* variables and triggers the next job through the API with urllib,
/// as the real jobs do. Each run appends its argv and environment to FAKE_RECORD.
/// Its behaviour comes from job-level variables (jobs.json's `environment`).
struct FakeJobs {
    let directory: String
    let script: String
    let record: String

    /// `/usr/bin/python3` if present, else the first python3 on PATH that is
    /// not a pyenv-style shim (the children's PATH is minimal).
    static let python: String? = {
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") where !dir.contains("shims") {
            candidates.append("\(dir)/python3")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool { python != nil }

    init() throws {
        directory = NSTemporaryDirectory() + "launcher-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        script = directory + "/fake-job"
        record = directory + "/record.jsonl"
        try (Self.source.replacingOccurrences(of: "PYTHON", with: Self.python ?? "/usr/bin/python3"))
            .write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
    }

    var store: String { directory + "/store" }
    var data: String { directory + "/data" }

    /// The three jobs, all running the fake script; `extra` adds job-level variables by role.
    func definitions(
        gp: [String: String] = [:], lgt: [String: String] = [:], cm: [String: String] = [:], timeoutSeconds: Int = 60
    ) -> JobDefinitions {
        func job(_ name: String, _ role: String, _ extra: [String: String]) -> JobDefinition {
            JobDefinition(
                name: name, executable: script, script: "jobs/cml/\(role).py", timeoutSeconds: timeoutSeconds,
                environment: ["FAKE_ROLE": role, "FAKE_RECORD": record].merging(extra) { $1 }
            )
        }
        return JobDefinitions(jobs: [
            job("Get Predictions", "gp", gp), job("Load Ground Truth", "lgt", lgt), job("Check Model", "cm", cm),
        ])
    }

    func options(_ jobs: JobDefinitions) -> LauncherOptions {
        var options = LauncherOptions(jobs: jobs)
        options.dataDirectory = data
        options.storeDirectory = store
        options.workingDirectory = directory
        options.locator = ExecutableLocator(directory: directory)
        options.killGrace = .milliseconds(500)
        return options
    }

    /// Runs a whole pipeline in-process; returns its result and output lines.
    /// With `interruptOn`, interrupts the launcher when an output line contains it.
    func run(_ options: LauncherOptions, interruptOn marker: String? = nil) async -> (PipelineResult, [String]) {
        let lines = Mutex<[String]>([])
        let interrupt = Mutex<(@Sendable () -> Void)?>(nil)
        let launcher = Launcher(options: options) { line in
            lines.withLock { $0.append(line) }
            if let marker, line.contains(marker) { interrupt.withLock { $0 }?() }
        }
        interrupt.withLock { $0 = { launcher.interrupt() } }
        let result = await launcher.run()
        return (result, lines.withLock { $0 })
    }

    struct Record: Decodable {
        let role: String
        let argv: [String]
        let env: [String: String]
    }

    /// What each run saw, in the order the runs started.
    func records() -> [Record] {
        guard let data = FileManager.default.contents(atPath: record) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Record.self, from: $0) }
    }

    /// Writes `definitions` to `DIRECTORY/jobs.json`; returns its path.
    func writeJobsFile(_ definitions: JobDefinitions) throws -> String {
        let path = directory + "/jobs.json"
        try JSONEncoder().encode(definitions).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes a data set's `metadata.json.gz` (its period files are never read by the fake jobs) to `directory`.
    func writeMetadata(name: String, periods: Int, in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let entries = (0..<periods).map { #"{"period": \#($0), "predictions": "p\#($0).csv.gz", "labels": "l\#($0).csv.gz"}"# }
        let metadata = #"{"format_version": 1, "name": "\#(name)", "num_periods": \#(periods), "periods": [\#(entries.joined(separator: ", "))]}"#
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "printf '%s' \"$1\" | gzip -c > \"$2\"", "sh", metadata, directory + "/metadata.json.gz"]
        try gzip.run()
        gzip.waitUntilExit()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let source = #"""
        #!PYTHON
        import json, os, signal, sys, time, urllib.error, urllib.parse, urllib.request
        env = os.environ
        role = env["FAKE_ROLE"]
        argv = sys.argv[1:]
        with open(env["FAKE_RECORD"], "a") as f:
            f.write(json.dumps({"role": role, "argv": argv, "env": dict(env)}) + "\n")
        if env.get("FAKE_IGNORE_TERM") == "1":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(f"{role} started with {argv}", flush=True)
        print(f"{role} says hello on stderr", file=sys.stderr, flush=True)
        if "FAKE_SLEEP" in env:
            time.sleep(float(env["FAKE_SLEEP"]))
        if "--period" in argv:
            c, t = (int(x) for x in argv[argv.index("--period") + 1].split(","))
            print(f"Parameter provided: period {c} of {t}", flush=True)
        else:
            c, t = 0, int(env.get("FAKE_TOTAL", "4"))
            print("No parameter provided: defaulting to period 0", flush=True)
        if c == t:
            print(f"All periods completed! (Period {c} = Total {t})", flush=True)
            sys.exit(0)
        if env.get("FAKE_EXIT_PERIOD") in (str(c), "any"):
            print(f"{role} exits {env['FAKE_EXIT']} at period {c}", flush=True)
            sys.exit(int(env["FAKE_EXIT"]))
        if role == "cm" and env.get("FAKE_METRICS") == "1":
            d = os.path.join(env["MONITOR_STORE_DIR"], "periods", "%04d" % c)
            os.makedirs(d, exist_ok=True)
            accuracy = None if c == 1 else 0.9 + c / 100
            with open(os.path.join(d, "metrics.json"), "w") as f:
                json.dump({"period": c, "total_periods": t, "rows": 110 + c, "labeled": 100 + c, "unlabeled": 10,
                           "correct": 90, "labels_without_prediction": 0, "accuracy": accuracy, "precision": None,
                           "recall": None, "f1": None, "roc_auc": None, "averaging": "binary", "positive_label": "1",
                           "confusion_matrix": {"labels": [], "matrix": []}, "undefined": {},
                           "baseline_accuracy": None, "baseline_source": None, "drop": None, "p_value": None,
                           "degraded": False, "insufficient_ground_truth": False, "reason": "fake",
                           "decision": "last_period" if c == t - 1 else "continue"}, f)
        if env.get("FAKE_STOP") == "1":
            sys.exit(0)
        nxt, np = {"gp": ("Load Ground Truth", c), "lgt": ("Check Model", c), "cm": ("Get Predictions", c + 1)}[role]
        if role == "cm" and env.get("FAKE_NO_INCREMENT") == "1":
            np = c
        arguments = env.get("FAKE_ARGS", f"--period {np},{t}")
        base = env["CDSW_API_URL"].replace("/api/v1", "/api/v2")
        headers = {"Authorization": "Bearer " + env["CDSW_APIV2_KEY"], "Content-Type": "application/json"}
        project = env["CDSW_PROJECT_ID"]
        try:
            query = urllib.parse.urlencode({"search_filter": json.dumps({"name": nxt}), "page_size": "1"})
            jobs, token = [], ""
            while True:
                page = json.load(urllib.request.urlopen(urllib.request.Request(
                    f"{base}/projects/{project}/jobs?{query}" + (f"&page_token={token}" if token else ""), headers=headers)))
                jobs += page.get("jobs", [])  # protojson leaves out empty lists and strings
                token = page.get("next_page_token", "")
                if not token:
                    break
            job = [j for j in jobs if j["name"] == nxt][0]
            request = {"arguments": arguments}
            if "FAKE_SEND_ENV" in env:
                request["environment"] = {"PER_RUN": env["FAKE_SEND_ENV"]}
            body = json.dumps(request).encode()
            run = json.load(urllib.request.urlopen(urllib.request.Request(
                f"{base}/projects/{project}/jobs/{job['id']}/runs", data=body, headers=headers, method="POST")))
        except urllib.error.HTTPError as e:
            print(f"trigger failed: HTTP {e.code}: {e.read().decode()}", file=sys.stderr, flush=True)
            sys.exit(1)
        print(f"✓ Triggered job: {nxt} (Period {np}/{t})", flush=True)
        print(f"  Job run ID: {run['id']}", flush=True)
        """#
}
