import Foundation
import JobClient
import Platform
import TestSupport
import Testing

/// A local project whose Get Predictions runs go through a wrapper that
/// records each run's argv and CML variables and waits for a gate file: while
/// it waits, the launcher is up, holds the store lock and serves its API.
struct GatedProject {
    let sandbox: Sandbox
    let store: String
    let trace: String
    let gate: String

    init(_ sandbox: Sandbox, name: String) throws {
        self.sandbox = sandbox
        self.name = name
        store = "\(sandbox.root)/store-\(name)"
        trace = "\(sandbox.root)/trace-\(name)"
        gate = "\(sandbox.root)/gate-\(name)"
        try FileManager.default.createDirectory(atPath: trace, withIntermediateDirectories: true)
        let wrapper = "\(sandbox.root)/wrapper.sh"
        if !FileManager.default.fileExists(atPath: wrapper) { try writeWrapperScript(to: wrapper) }
        let real = executablesDirectory()
        func env(_ product: String, gated: Bool) -> [String: String] {
            var env = ["TRACE_DIR": trace, "REAL_JOB": "\(real)/\(product)"]
            if gated { env["GATE"] = gate }
            return env
        }
        try writeJobsFile(
            to: "\(sandbox.root)/jobs-\(name).json",
            executables: ["Get Predictions": wrapper, "Load Ground Truth": wrapper, "Check Model": wrapper],
            environment: [
                "Get Predictions": env("get-predictions", gated: true),
                "Load Ground Truth": env("load-ground-truth", gated: false),
                "Check Model": env("check-model", gated: false),
            ]
        )
    }

    let name: String

    func start() throws -> Spawned {
        try Spawned(
            "\(executablesDirectory())/cml-local",
            ["run", "--jobs", "jobs-\(name).json", "--data", sandbox.data, "--store", store],
            environment: ["PATH": "/usr/bin:/bin", "HOME": sandbox.root], directory: sandbox.root,
            logs: "\(sandbox.root)/launcher-\(name)"
        )
    }

    /// `(CDSW_API_URL, CDSW_APIV2_KEY, CDSW_PROJECT_ID)` of the first run, once it is waiting at the gate.
    func waitForAPI() async throws -> (url: String, token: String, project: String) {
        var found: String?
        await waitUntil(timeout: .seconds(60)) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: trace)) ?? []
            found = names.first { $0.hasPrefix("api.") && !$0.hasPrefix("api.tmp") }
            return found != nil
        }
        let line = try String(contentsOfFile: "\(trace)/\(try #require(found))", encoding: .utf8)
        let parts = line.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (parts[0], parts[1], parts[2])
    }

    func open() {
        _ = FileManager.default.createFile(atPath: gate, contents: Data())
    }

    /// The argv of every run, one array per run.
    func argvs() -> [[String]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: trace)) ?? []
        return names.filter { $0.hasPrefix("argv.") }.compactMap {
            try? String(contentsOfFile: "\(trace)/\($0)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast().map(String.init)
        }
    }
}

/// A raw HTTP request (no client retries), blocking the calling thread.
func request(_ method: String, _ url: String, token: String?, body: String? = nil) throws -> (status: Int, body: String) {
    var headers: [HTTPHeader] = []
    if let token { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
    if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
    let request = HTTPTransportRequest(method: method, url: URL(string: url)!, headers: headers, body: Array((body ?? "").utf8), timeout: .seconds(10))
    let response = try SocketHTTPTransport.exchange(request)
    return (response.status, String(decoding: response.body, as: UTF8.self))
}

/// The addresses listening on TCP `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes them).
func listeningAddresses(port: Int) -> [String] {
    var addresses: [String] = []
    let hexPort = String(format: "%04X", port)
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        // /proc files report a size of 0: read them to the end by hand (a sized read may stop after a page).
        guard let handle = FileHandle(forReadingAtPath: table) else { continue }
        defer { try? handle.close() }
        var data = Data()
        while let chunk = try? handle.read(upToCount: 65536), !chunk.isEmpty { data.append(chunk) }
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A" else { continue }  // LISTEN
            let local = fields[1].split(separator: ":")
            if local.count == 2, local[1] == hexPort { addresses.append(String(local[0])) }
        }
    }
    return addresses
}

@Suite("Concurrency and security of cml-local", .serialized)
struct LauncherSecurityTests {
    static func smallSandbox(_ label: String) throws -> Sandbox {
        try Sandbox.make((0..<2).map { generatedPeriod(period: $0, rows: 200, seed: UInt64(40 + $0)) }, label: label)
    }

    @Test("a second cml-local on the same store refuses with a clear message and exit 1; the first completes")
    func sameStoreIsLocked() async throws {
        let sandbox = try Self.smallSandbox("lock")
        defer { sandbox.remove() }
        let project = try GatedProject(sandbox, name: "one")
        let first = try project.start()
        defer { project.open() }  // never leave the launcher waiting at the gate
        _ = try await project.waitForAPI()

        let second = try await runLauncher(["--jobs", "jobs-one.json", "--data", sandbox.data, "--store", project.store], in: sandbox.root)
        #expect(second.status == 1)
        #expect((second.stdout + second.stderr).contains("ERROR: \(project.store): is in use by another pipeline; wait for it to finish or use another --store"))
        #expect(!second.stdout.contains("▶"), "the second launcher started a run: \(second.stdout)")

        project.open()
        #expect(await first.wait() == 0, "\(first.stdout)")
        #expect(LauncherHistory(project.store).count == 7)
    }

    @Test("two cml-local on two stores side by side both complete")
    func twoStoresSideBySide() async throws {
        let sandbox = try Self.smallSandbox("pair")
        defer { sandbox.remove() }
        let one = try GatedProject(sandbox, name: "one")
        let two = try GatedProject(sandbox, name: "two")
        let first = try one.start()
        let second = try two.start()
        defer { one.open(); two.open() }
        _ = try await one.waitForAPI()
        _ = try await two.waitForAPI()
        one.open()
        two.open()
        #expect(await first.wait() == 0, "\(first.stdout)")
        #expect(await second.wait() == 0, "\(second.stdout)")
        for store in [one.store, two.store] {
            #expect(LauncherHistory(store).count == 7)
            #expect(contents("\(store)/periods/0001/metrics.json") == contents("\(one.store)/periods/0001/metrics.json"))
        }
    }

    @Test("the API listens on 127.0.0.1 only, wants this run's bearer token, and the token is never written anywhere")
    func apiAndToken() async throws {
        let sandbox = try Self.smallSandbox("sec")
        defer { sandbox.remove() }
        let one = try GatedProject(sandbox, name: "one")
        let two = try GatedProject(sandbox, name: "two")
        let first = try one.start()
        let second = try two.start()
        defer { one.open(); two.open() }
        let (url, token, projectID) = try await one.waitForAPI()
        let (otherURL, otherToken, _) = try await two.waitForAPI()
        #expect(token.count == 64 && token != otherToken)

        let base = url.replacingOccurrences(of: "/api/v1", with: "/api/v2")
        let port = try #require(URL(string: url)?.port)
        let listening = listeningAddresses(port: port)
        #expect(listening == ["0100007F"], "listening on \(listening) (hex), expected 127.0.0.1 only")
        #expect(url.hasPrefix("http://127.0.0.1:") && otherURL.hasPrefix("http://127.0.0.1:"))

        let jobs = "\(base)/projects/\(projectID)/jobs"
        #expect(try request("GET", jobs, token: nil).status == 401)
        #expect(try request("GET", jobs, token: "not-the-token").status == 401)
        #expect(try request("GET", jobs, token: otherToken).status == 401, "the other launcher run's token is accepted")
        #expect(try request("GET", jobs, token: token.uppercased()).status == 401)
        #expect(try request("GET", jobs, token: token).status == 200)

        // Shell metacharacters in a run's arguments reach the job as plain argv words and run nothing.
        let listing = try request("GET", jobs + "?search_filter=%7B%22name%22%3A%22Check%20Model%22%7D", token: token)
        let checkModel = try #require(
            ((try JSONSerialization.jsonObject(with: Data(listing.body.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]])?
                .first { $0["name"] as? String == "Check Model" }?["id"] as? String
        )
        let marker = "\(sandbox.root)/PWNED"
        let evil = #"--period 0,2 ; touch \#(marker) $(touch \#(marker)) `touch \#(marker)` 'x y' "q" && touch \#(marker)"#
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["arguments": evil]), as: UTF8.self)
        let created = try request("POST", "\(jobs)/\(checkModel)/runs", token: token, body: body)
        #expect(created.status == 200, "\(created.body)")

        one.open()
        two.open()
        let firstStatus = await first.wait()
        #expect(await second.wait() == 0, "\(second.stdout)")
        #expect(firstStatus == 1, "the evil Check Model run fails: \(first.stdout)")
        #expect(!FileManager.default.fileExists(atPath: marker), "a shell ran the arguments")
        #expect(!FileManager.default.fileExists(atPath: "\(sandbox.root)/$(touch"))
        let words = evil.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(one.argvs().contains(words), "argv as received: \(one.argvs())")

        // The tokens appear in no store file, log, history, and in neither launcher's output.
        for (store, launcher) in [(one.store, first), (two.store, second)] {
            for (path, data) in snapshot(store) {
                let text = String(decoding: data, as: UTF8.self)
                #expect(!text.contains(token) && !text.contains(otherToken), "a token is in \(store)/\(path)")
            }
            for output in [launcher.stdout, launcher.stderr] {
                #expect(!output.contains(token) && !output.contains(otherToken), "a token is in the launcher's output")
            }
        }
    }

    @Test("shell metacharacters in a job's own arguments are plain values, and the printed resume command quotes them")
    func metacharactersInJobArguments() async throws {
        let sandbox = try Self.smallSandbox("meta")
        defer { sandbox.remove() }
        let marker = "\(sandbox.root)/PWNED"
        for value in ["$(touch \(marker))", "`touch \(marker)`", "0,2; touch \(marker)", "'0,2'\"\""] {
            let result = try await sandbox.run("get-predictions", ["--period", value])
            expectOneError(result, ["ERROR: Invalid parameter format"])
            #expect(result.stderr.contains(value))
        }
        // A data directory named with metacharacters: the job works, and the standalone
        // "next step" command it prints runs the next step when pasted into a shell.
        let odd = "\(sandbox.root)/d $(touch PWNED);`touch PWNED`'\"&& touch PWNED"
        try FileManager.default.moveItem(atPath: sandbox.data, toPath: odd)
        let result = try await sandbox.run("get-predictions", ["--period", "0,2"], data: odd)
        #expect(result.status == 0, "\(result.stderr)")
        let command = try #require(result.lines.first { $0.hasPrefix("  load-ground-truth ") })
        let shell = try await runExecutableAsync(
            "/bin/sh", ["-c", command], environment: ["PATH": "\(executablesDirectory()):/usr/bin:/bin"], directory: sandbox.root
        )
        #expect(shell.status == 0, "\(command)\n\(shell.stderr)")
        #expect(shell.stdout.contains("✓ Extracted period 0 data"))
        #expect(!FileManager.default.fileExists(atPath: marker), "a shell ran part of a path")
    }
}

/// The run history entries of a store.
func LauncherHistory(_ store: String) -> [String] {
    ((try? String(contentsOfFile: "\(store)/launcher/runs.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}
