import CMLAPI
import Foundation
import Hummingbird
import JobClient
import Launcher
import Synchronization
import Testing
import TestSupport

/// Collects a deploy's output lines.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

/// A deploy with a runtime identifier (deploy refuses without one), unless `kernel` is given.
func deploy(
    _ client: JobClient, _ definitions: JobDefinitions, dryRun: Bool = false, runtime: String? = "runtime-img:2025.01",
    kernel: String? = nil, recreate: Set<String> = [], lines: Lines = Lines()
) async throws(LauncherError) -> [Deployer.Outcome] {
    try await Deployer(client: client, definitions: definitions, runtimeIdentifier: runtime, kernel: kernel)
        .deploy(dryRun: dryRun, recreate: recreate) { lines.append($0) }
}

@Suite("cml-local deploy against the launcher's API server")
struct DeployerServerTests {
    @Test("a first deploy creates the three jobs; a second changes nothing and sends no write")
    func createsThenNothing() async throws {
        let server = try await RecordingCML.start()
        let definitions = try repositoryDefinitions()
        let lines = Lines()
        let first = try await deploy(server.client(), definitions, runtime: "runtime-img:2025.01", lines: lines)
        #expect(first.map(\.action) == [.created, .created, .created])
        #expect(lines.all.count == 3 && lines.all.allSatisfy { $0.hasPrefix("created   '") })

        let jobs = server.cml.jobs
        #expect(jobs.map(\.name) == ["Get Predictions", "Load Ground Truth", "Check Model"])
        #expect(jobs.map(\.id) == first.map(\.jobID))
        #expect(jobs.map(\.script) == ["jobs/cml/get_predictions.py", "jobs/cml/load_ground_truth.py", "jobs/cml/check_model.py"])
        #expect(jobs.allSatisfy { $0.cpu == 1 && $0.memory == 2 && $0.timeout == 3600 && $0.runtimeIdentifier == "runtime-img:2025.01" })
        #expect(jobs[2].environment == definitions.jobs[2].environment)
        #expect(server.log.writes().count == 3)

        let before = server.log.all.count
        let second = try await deploy(server.client(), definitions, runtime: "runtime-img:2025.01")
        #expect(second.map(\.action) == [.unchanged, .unchanged, .unchanged])
        #expect(second.map(\.jobID) == first.map(\.jobID))
        #expect(server.log.writes(from: before).isEmpty)
        #expect(server.log.all.count > before)  // it did read
        #expect(server.cml.jobs == jobs)
    }

    @Test("changed cpu, memory and environment are patched in place and read back; a changed script needs --recreate")
    func updatesInPlace() async throws {
        let server = try await RecordingCML.start()
        var definitions = try repositoryDefinitions()
        let first = try await deploy(server.client(), definitions)
        let before = server.log.all.count

        definitions.jobs[0].cpu = 2
        definitions.jobs[0].memory = 4
        definitions.jobs[1].script = "jobs/cml/load_ground_truth_v2.py"
        definitions.jobs[2].environment["MONITOR_MIN_ACCURACY"] = "0.8"
        let lines = Lines()
        let second = try await deploy(server.client(), definitions, lines: lines)
        #expect(second.map(\.action) == [
            .updated(applied: ["cpu", "memory"], notApplied: []), .unchanged, .updated(applied: ["environment"], notApplied: []),
        ])
        #expect(second.map(\.needsRecreate) == [[], ["script"], []])
        #expect(second.map(\.jobID) == first.map(\.jobID))
        #expect(lines.all[0] == "updated   'Get Predictions' (id \(first[0].jobID!)): cpu, memory")
        #expect(lines.all[1].contains("differs in script, which the API cannot change: cml-local deploy --recreate 'Load Ground Truth'"))
        let writes = server.log.writes(from: before)
        #expect(writes.count == 2 && writes.allSatisfy { $0.hasPrefix("PATCH ") })

        let jobs = server.cml.jobs
        #expect(jobs.count == 3)
        #expect(jobs[0].cpu == 2 && jobs[0].memory == 4 && jobs[0].script == "jobs/cml/get_predictions.py")
        #expect(jobs[1].script == "jobs/cml/load_ground_truth.py")
        #expect(jobs[2].environment["MONITOR_MIN_ACCURACY"] == "0.8")
        #expect(jobs[2].environment.count == 5)

        let third = try await deploy(server.client(), definitions)
        #expect(third.map(\.action) == [.unchanged, .unchanged, .unchanged])
        #expect(third[1].needsRecreate == ["script"])  // said at every deploy, never claimed as done

        let recreateLines = Lines()
        let fourth = try await deploy(server.client(), definitions, recreate: ["Load Ground Truth"], lines: recreateLines)
        #expect(fourth[1].action == .recreated(oldID: first[1].jobID!))
        #expect(fourth[1].jobID != first[1].jobID)
        #expect(recreateLines.text.contains("deleting it and its run history"))
        #expect(server.cml.jobs.filter { $0.name == "Load Ground Truth" }.map(\.script) == ["jobs/cml/load_ground_truth_v2.py"])
        #expect(try await deploy(server.client(), definitions).allSatisfy { $0.action == .unchanged && $0.needsRecreate.isEmpty })
    }

    @Test("a job that already exists with the exact name is reused, not duplicated; similar names are ignored")
    func reusesExisting() async throws {
        let server = try await RecordingCML.start(existing: [
            JobDefinition(name: "Check Model Nightly", executable: "/bin/true", script: "nightly.py"),
            JobDefinition(name: "Check Model", executable: "/bin/true", script: "jobs/cml/check_model.py", cpu: 1, memory: 2),
        ])
        let existingID = server.cml.jobs[1].id
        let outcomes = try await deploy(server.client(), try repositoryDefinitions())
        #expect(outcomes.map(\.action) == [.created, .created, .updated(applied: ["environment", "kill_on_timeout"], notApplied: [])])
        #expect(outcomes[2].needsRecreate == ["runtime_identifier"])
        #expect(outcomes[2].jobID == existingID)
        #expect(server.cml.jobs.filter { $0.name == "Check Model" }.count == 1)
        #expect(server.cml.jobs.count == 4)
        #expect(server.cml.jobs[0].script == "nightly.py")
    }

    @Test("two jobs with the same exact name: a clear error, and nothing is created")
    func duplicateNamesOnServer() async throws {
        let server = try await RecordingCML.start(existing: [
            JobDefinition(name: "Load Ground Truth", executable: "/bin/true", script: "a.py"),
            JobDefinition(name: "Load Ground Truth", executable: "/bin/true", script: "b.py"),
        ])
        let error = await #expect(throws: LauncherError.self) {
            try await deploy(server.client(), try repositoryDefinitions())
        }
        #expect(error?.kind == .deploy)
        #expect(error?.message.contains("2 jobs are named exactly 'Load Ground Truth'") == true)
        #expect(error?.message.contains("nothing was changed") == true)
        #expect(server.log.writes().isEmpty)
        #expect(server.cml.jobs.count == 2)
    }

    @Test("a dry run sends only GETs, prints each write it would send, and never the key")
    func dryRun() async throws {
        let key = "sk-PLANTED-KEY-123"
        let server = try await RecordingCML.start(
            existing: [JobDefinition(name: "Check Model", executable: "/bin/true", script: "old.py")], token: key
        )
        let lines = Lines()
        let outcomes = try await deploy(server.client(), try repositoryDefinitions(), dryRun: true, lines: lines)
        #expect(outcomes.map(\.action) == [.wouldCreate, .wouldCreate, .wouldUpdate(["environment", "kill_on_timeout"])])
        #expect(outcomes[2].needsRecreate == ["script", "runtime_identifier"])
        #expect(server.log.all.allSatisfy { $0.hasPrefix("GET ") })
        #expect(server.cml.jobs.count == 1 && server.cml.jobs[0].script == "old.py")

        let text = lines.text
        #expect(!text.contains(key))
        #expect(text.contains("would create 'Get Predictions'"))
        #expect(text.contains("    POST http://127.0.0.1:\(server.port)/api/v2/projects/\(server.cml.projectID)/jobs"))
        #expect(text.contains("    PATCH http://127.0.0.1:\(server.port)/api/v2/projects/\(server.cml.projectID)/jobs/\(server.cml.jobs[0].id)"))
        #expect(text.contains("Authorization: Bearer <redacted>"))
        #expect(text.contains(#""name":"Get Predictions""#) && text.contains(#""script":"jobs/cml/get_predictions.py""#))
        #expect(text.contains(#""environment":"{\"MONITOR_MAX_DROP\":"#))  // a PATCH carries a JSON-encoded string
        #expect(text.contains(#""kill_on_timeout":true"#) && text.contains(#""timeout":3600"#))
        #expect(!text.contains("retry"))
    }

    @Test("the 2nd create fails: the error names what was created and what not; a re-run completes")
    func partialFailure() async throws {
        let posts = Mutex(0)
        let server = try await RecordingCML.start(fault: { entry, _ in
            guard entry.hasPrefix("POST") else { return nil }
            let number = posts.withLock { $0 += 1; return $0 }
            return number == 2 ? .apiError(.badRequest, "quota exceeded") : nil
        })
        let lines = Lines()
        let error = await #expect(throws: LauncherError.self) {
            try await deploy(server.client(), try repositoryDefinitions(), lines: lines)
        }
        let message = try #require(error?.message)
        let created = try #require(server.cml.jobs.first)
        #expect(server.cml.jobs.count == 1)
        #expect(message.contains("deploy incomplete: creating 'Load Ground Truth' failed"))
        #expect(message.contains("quota exceeded"))
        #expect(message.contains("done: created   'Get Predictions' (id \(created.id))"))
        #expect(message.contains("the rest, as the server holds it now: 'Load Ground Truth' (does not exist), 'Check Model' (does not exist)"))
        #expect(lines.all == ["created   'Get Predictions' (id \(created.id))"])

        let rerun = try await deploy(server.client(), try repositoryDefinitions())
        #expect(rerun.map(\.action) == [.unchanged, .created, .created])
        #expect(server.cml.jobs.map(\.name) == ["Get Predictions", "Load Ground Truth", "Check Model"])
        #expect(server.cml.jobs[0].id == created.id)
    }
}

@Suite("cml-local deploy says only what the server holds")
struct DeployTruthTests {
    @Test("a lost creation answer: the job is found by name, never created twice; the summary is true")
    func lostCreationAnswer() async throws {
        let server = try await RecordingCML.start(lose: { entry, _ in entry.hasPrefix("POST") })
        let lines = Lines()
        let outcomes = try await deploy(server.client(), try repositoryDefinitions(), lines: lines)
        #expect(outcomes.map(\.action) == [.created, .created, .created])
        #expect(server.cml.jobs.map(\.name) == ["Get Predictions", "Load Ground Truth", "Check Model"])
        #expect(outcomes.map(\.jobID) == server.cml.jobs.map(\.id))
        #expect(server.log.writes().count == 3)  // one POST a job: the lost answer is looked for, not re-sent
        let again = try await deploy(server.client(), try repositoryDefinitions())
        #expect(again.map(\.action) == [.unchanged, .unchanged, .unchanged])
    }

    @Test("a PATCH the server ignores is reported as not applied, never as updated")
    func ignoredPatch() async throws {
        let server = try await RecordingCML.start(ignorePatches: true)
        var definitions = try repositoryDefinitions()
        _ = try await deploy(server.client(), definitions)
        definitions.jobs[0].cpu = 2
        definitions.jobs[0].timeoutSeconds = 60
        let lines = Lines()
        let outcomes = try await deploy(server.client(), definitions, lines: lines)
        #expect(outcomes[0].action == .updated(applied: [], notApplied: ["cpu", "timeout"]))
        #expect(lines.all[0].hasSuffix("): nothing; not applied by the server: cpu, timeout"))
        #expect(server.cml.jobs[0].cpu == 1)
    }

    @Test("no runtime identifier: refused before any write, saying where to find one; --kernel is the explicit legacy choice")
    func noRuntime() async throws {
        let server = try await RecordingCML.start()
        let error = await #expect(throws: LauncherError.self) {
            try await deploy(server.client(), try repositoryDefinitions(), runtime: nil)
        }
        #expect(error?.message.contains("has no runtime: give --runtime-identifier") == true)
        #expect(error?.message.contains("GET /api/v2/runtimes") == true && error?.message.contains("--kernel python3") == true)
        #expect(server.log.all.isEmpty && server.cml.jobs.isEmpty)
        let legacy = try await deploy(server.client(), try repositoryDefinitions(), runtime: nil, kernel: "python3")
        #expect(legacy.map(\.action) == [.created, .created, .created])
        #expect(server.cml.jobs.allSatisfy { $0.kernel == "python3" && $0.runtimeIdentifier.isEmpty })
    }

    @Test("--recreate names a job of the definitions")
    func recreateUnknown() async throws {
        let server = try await RecordingCML.start()
        let error = await #expect(throws: LauncherError.self) {
            try await deploy(server.client(), try repositoryDefinitions(), recreate: ["Chek Model"])
        }
        #expect(error?.message.contains("--recreate 'Chek Model': no job of that name") == true)
        #expect(server.log.all.isEmpty)
    }
}

@Suite("the launcher's job endpoints")
struct JobEndpointTests {
    @Test("create needs a name and a script; types are checked; update changes only the given fields")
    func createAndUpdate() async throws {
        let server = try await RecordingCML.start()
        let client = server.client()
        let job = try await client.createJob(
            CreateJobRequest(name: "X", script: "x.py", cpu: 1.5, memory: 3, timeout: 60, environment: ["A": "1"], runtimeIdentifier: "rt")
        )
        #expect(job.cpu == 1.5 && job.memory == 3 && job.timeout == 60 && job.environment == ["A": "1"] && job.runtimeIdentifier == "rt")
        let updated = try await client.updateJob(jobID: job.id, UpdateJobRequest(memory: 4, environment: #"{"B":"2"}"#))
        #expect(updated.memory == 4 && updated.cpu == 1.5 && updated.script == "x.py" && updated.environment == ["B": "2"])

        let base = "http://127.0.0.1:\(server.port)/api/v2/projects/\(server.cml.projectID)/jobs"
        for (body, message) in [
            (#"{"script": "x.py"}"#, "job name is required"),
            (#"{"name": "Y"}"#, "job script is required"),
            (#"{"name": "Y", "script": "y.py", "cpu": "2"}"#, "cannot unmarshal string into Go value of type float32"),
            (#"{"name": "Y", "script": "y.py", "environment": "{}"}"#, "cannot unmarshal string into Go value of type map[string]string"),
        ] {
            let (status, data) = try await rawRequest("POST", base, token: server.token, body: body)
            #expect(status == 400)
            #expect(try JSONDecoder().decode(APIError.self, from: data).message.contains(message))
        }
        let (status, _) = try await rawRequest("PATCH", "\(base)/\(job.id)", token: server.token, body: #"{"environment": {"A": "1"}}"#)
        #expect(status == 400)
        let (missing, _) = try await rawRequest("PATCH", "\(base)/nope-nope-nope-nope", token: server.token, body: #"{"cpu": 2}"#)
        #expect(missing == 404)
        let (unauthorized, body) = try await rawRequest("POST", base, token: "wrong", body: #"{"name": "Z", "script": "z.py"}"#)
        #expect(unauthorized == 401)
        #expect(try JSONDecoder().decode(APIError.self, from: body).code == 16)
        #expect(server.cml.jobs.count == 1)
    }

    @Test("the same name may be created twice, as in CML; runs of an API-created job are refused")
    func duplicatesAllowedRunsRefused() async throws {
        let server = try await RecordingCML.start()
        let client = server.client()
        let request = CreateJobRequest(name: "Dup", script: "d.py", cpu: 1, memory: 1, timeout: 0, environment: [:])
        let a = try await client.createJob(request)
        let b = try await client.createJob(request)
        #expect(a.id != b.id)
        let error = await #expect(throws: JobClientError.self) { try await client.createRun(jobID: a.id, arguments: "") }
        #expect(error?.kind == .http(status: 400))
    }
}

@Suite("cml-local deploy against a hostile server")
struct DeployerHostileTests {
    static let emptyList = #"{"jobs": [], "next_page_token": ""}"#
    static func createdJob(_ n: Int) -> String { #"{"id": "job\#(n)-aaaa-bbbb-cccc", "name": "J\#(n)", "script": "s.py"}"# }

    @Test("500 answers are retried (bounded), then the deploy succeeds")
    func retriesServerErrors() async throws {
        let server = try await HostileServer.start { method, n in
            if n <= 2 { return .apiError(.internalServerError, "overloaded") }
            return method == "GET" ? .status(.ok, json: Self.emptyList) : .status(.ok, json: Self.createdJob(n))
        }
        let outcomes = try await deploy(server.client(), try repositoryDefinitions())
        #expect(outcomes.map(\.action) == [.created, .created, .created])
        #expect(server.log.all.count == 2 + 3 + 3)
    }

    @Test("500 forever: a clear error after the bounded attempts, nothing written")
    func givesUpOnServerErrors() async throws {
        let server = try await HostileServer.start { _, _ in .apiError(.internalServerError, "down") }
        let error = await #expect(throws: LauncherError.self) { try await deploy(server.client(), try repositoryDefinitions()) }
        #expect(error?.message.contains("HTTP 500") == true)
        #expect(error?.message.contains("after 3 attempts") == true)
        #expect(error?.message.contains("nothing was changed") == true)
        #expect(server.log.all == Array(repeating: "GET /api/v2/projects/proj-ect0-0000-0001/jobs", count: 3))
    }

    @Test("401: a clear error at once, no retry, no key")
    func unauthorized() async throws {
        let server = try await HostileServer.start { _, _ in .apiError(.unauthorized, "invalid API key") }
        let error = await #expect(throws: LauncherError.self) { try await deploy(server.client(), try repositoryDefinitions()) }
        #expect(error?.message.contains("HTTP 401") == true)
        #expect(error?.message.contains("invalid API key") == true)
        #expect(error?.description.contains(HostileServer.key) == false)
        #expect(server.log.all.count == 1)
    }

    @Test("malformed JSON: a clear error")
    func malformed() async throws {
        let server = try await HostileServer.start { _, _ in .status(.ok, json: #"{"jobs": [{"name": 42"#) }
        let error = await #expect(throws: LauncherError.self) { try await deploy(server.client(), try repositoryDefinitions()) }
        #expect(error?.message.contains("unexpected answer") == true)
        #expect(server.log.all.count == 1)
    }

    @Test("answers slower than the request timeout: a timeout error", .timeLimit(.minutes(1)))
    func slow() async throws {
        let server = try await HostileServer.start { _, _ in
            try await Task.sleep(for: .seconds(10))
            return .status(.ok, json: Self.emptyList)
        }
        let error = await #expect(throws: LauncherError.self) {
            try await deploy(server.client(requestTimeout: .milliseconds(300)), try repositoryDefinitions())
        }
        #expect(error?.message.contains("no answer within 0.3 s") == true)
        #expect(error?.message.contains("after 3 attempts") == true)
    }

    @Test("a failed 2nd create (after retries) names the created job and the missing ones")
    func secondCreateFails() async throws {
        let server = try await HostileServer.start { method, n in
            if method == "GET" { return .status(.ok, json: Self.emptyList) }
            return n == 4 ? .status(.ok, json: Self.createdJob(n)) : .apiError(.serviceUnavailable, "try later")
        }
        let error = await #expect(throws: LauncherError.self) { try await deploy(server.client(), try repositoryDefinitions()) }
        let message = try #require(error?.message)
        #expect(message.contains("creating 'Load Ground Truth' failed"))
        #expect(message.contains("HTTP 503") && message.contains("after 3 attempts"))
        #expect(message.contains("done: created   'Get Predictions' (id job4-aaaa-bbbb-cccc)"))
        #expect(message.contains("the rest, as the server holds it now: 'Load Ground Truth' (does not exist), 'Check Model' (does not exist)"))
        #expect(message.contains("The job may still appear"))  // 503s may follow the work: it was looked for, not re-sent blindly
    }
}

