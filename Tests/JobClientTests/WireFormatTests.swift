import CMLAPI
import Foundation
import JobClient
@testable import Launcher
import TestSupport
import Testing

/// The JSON type of every top-level field of an object, and of the first element's fields of each array.
private func fieldTypes(_ data: Data) throws -> [String: String] {
    // The launcher's JSONValue reads strictly: a number is never a bool.
    guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
    var types: [String: String] = [:]
    for (key, value) in object {
        types[key] = value.goTypeName
        if case .array(let array) = value, case .object(let first)? = array.first {
            for (inner, innerValue) in first { types["\(key)[].\(inner)"] = innerValue.goTypeName }
        }
    }
    return types
}

@Suite("CML's wire format: what a real server sends")
struct WireDecodingTests {
    @Test("the bodies a real server sends decode as they are")
    func oracleBodies() throws {
        let jobs = try JSONDecoder().decode(ListJobsResponse.self, from: Data(WireOracle.jobsList.utf8))
        let job = try #require(jobs.jobs.first)
        #expect(job.id == "ldgt-0000-0000-0002" && job.name == "Load Ground Truth")
        #expect(job.timeout == 3600 && job.cpu == 1 && job.memory == 2)
        #expect(job.environment == ["A": "1"])
        #expect(job.runtimeIdentifier.hasSuffix("python3.10-standard:2025.01.1-b8") && job.kernel == "")
        #expect(jobs.nextPageToken == "")  // absent on the last page

        let run = try JSONDecoder().decode(JobRun.self, from: Data(WireOracle.createdRun.utf8))
        #expect(run.id == "run-1" && run.status == .scheduling && run.arguments == "--period 0,10")
        #expect(run.environment == [:])  // ""
        #expect(run.projectID == "")  // absent

        let runs = try JSONDecoder().decode(ListJobRunsResponse.self, from: Data(WireOracle.runsList.utf8))
        #expect(runs.jobRuns.first?.environment == ["MONITOR_TRIGGER_ID": "5f0c…"])
        #expect(runs.jobRuns.first?.arguments == "")  // absent: a run without arguments
        #expect(runs.jobRuns.first?.status == .running)
    }

    @Test(
        "int64 as string or number, environment as string or object, statuses old and new",
        arguments: [
            (#"{"id":"j","timeout":"0"}"#, 0), (#"{"id":"j","timeout":120}"#, 120), (#"{"id":"j","timeout":"-1"}"#, -1),
            (#"{"id":"j"}"#, 0), (#"{"id":"j","timeout":null}"#, 0),
        ]
    )
    func integers(body: String, timeout: Int) throws {
        #expect(try JSONDecoder().decode(Job.self, from: Data(body.utf8)).timeout == timeout)
    }

    @Test("a timeout that is no integer is a decoding error naming the value")
    func badInteger() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Job.self, from: Data(#"{"id":"j","timeout":"soon"}"#.utf8)) }
    }

    @Test("environment: JSON string, empty string, object, or junk (read as empty)")
    func environments() throws {
        for (text, expected) in [
            (#""{\"A\":\"1\",\"B\":\"x y\"}""#, ["A": "1", "B": "x y"]), (#""""#, [:]), (#"{"A":"1"}"#, ["A": "1"]),
            (#""not json""#, [:]), (#""[1,2]""#, [:]), ("null", [:]),
        ] {
            let run = try JSONDecoder().decode(JobRun.self, from: Data(#"{"id":"r","environment":\#(text)}"#.utf8))
            #expect(run.environment == expected, "\(text)")
        }
    }

    @Test("every run status, ENGINE_SKIPPED included; unknown names and numbers are unknown", arguments: RunStatus.allCases)
    func statuses(status: RunStatus) throws {
        let run = try JSONDecoder().decode(JobRun.self, from: Data(#"{"id":"r","status":"\#(status.rawValue)"}"#.utf8))
        #expect(run.status == status)
        for other in [#""ENGINE_NEW_IN_2027""#, "7"] {
            #expect(try JSONDecoder().decode(JobRun.self, from: Data(#"{"id":"r","status":\#(other)}"#.utf8)).status == .unknown)
        }
        #expect(RunStatus.skipped.isFinal)
    }

    @Test("encoding writes what the server writes: int64 as string, environment as a string, zero values left out")
    func encoding() throws {
        let job = Job(id: "j", name: "N", script: "s.py", cpu: 1, memory: 2, timeout: 3600, environment: ["A": "1"])
        let types = try fieldTypes(try JSONEncoder().encode(job))
        #expect(types == ["id": "string", "name": "string", "script": "string", "cpu": "number", "memory": "number",
                          "timeout": "string", "environment": "string"])
        let run = JobRun(id: "r", jobID: "j", projectID: "p", status: .scheduling, arguments: "", createdAt: "t")
        let runJSON = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        #expect(!runJSON.contains("arguments") && !runJSON.contains("environment") && !runJSON.contains("running_at"))
        let page = String(decoding: try JSONEncoder().encode(ListJobRunsResponse(jobRuns: [run])), as: UTF8.self)
        #expect(!page.contains("next_page_token"))
        let roundTrip = try JSONDecoder().decode(Job.self, from: try JSONEncoder().encode(job))
        #expect(roundTrip == job)
    }
}

@Suite("The imitation answers as a real server does")
struct ImitationConformanceTests {
    @Test("every field the imitation sends has the JSON type of the real server's bodies")
    func conformance() async throws {
        let definitions = [
            JobDefinition(name: "Load Ground Truth", executable: "/bin/true", timeoutSeconds: 3600, environment: ["A": "1"]),
            JobDefinition(name: "Load Ground Truth Old", executable: "/bin/true"),
        ]
        let cml = LocalCML(definitions: definitions)
        let server = LocalAPIServer(cml: cml)
        let running = try await server.start()
        let base = "\(running.apiBase)/projects/\(cml.projectID)/jobs"
        let jobID = cml.jobs[0].id

        let filter = #"{"name":"Load Ground Truth"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (status, listing) = try await rawRequest("GET", "\(base)?search_filter=\(filter)&page_size=1000", token: server.token)
        #expect(status == 200)
        let (_, created) = try await rawRequest(
            "POST", "\(base)/\(jobID)/runs", token: server.token,
            body: #"{"arguments": "--period 0,10", "environment": {"MONITOR_TRIGGER_ID": "t-1"}}"#
        )
        let (_, bare) = try await rawRequest("POST", "\(base)/\(jobID)/runs", token: server.token, body: #"{}"#)
        let (_, runs) = try await rawRequest("GET", "\(base)/\(jobID)/runs?sort=-created_at&page_size=1000", token: server.token)

        let pairs: [(imitation: Data, oracle: String)] = [
            (listing, WireOracle.jobsList), (created, WireOracle.createdRun), (runs, WireOracle.runsList),
        ]
        for (imitation, oracle) in pairs {
            let mine = try fieldTypes(imitation)
            let theirs = try fieldTypes(Data(oracle.utf8))
            let known = Set(theirs.keys).union(["project_id", "job_runs[].arguments", "job_runs[].project_id", "arguments",
                                                 "jobs[].arguments", "running_at", "finished_at"])
            for (field, type) in mine {
                #expect(known.contains(field), "the imitation sends '\(field)', which the real bodies do not show")
                if let real = theirs[field] { #expect(type == real, "'\(field)': \(type) here, \(real) on a real server") }
            }
        }
        let jobTypes = try fieldTypes(listing)
        #expect(jobTypes["jobs[].timeout"] == "string" && jobTypes["jobs[].environment"] == "string")
        #expect(jobTypes["next_page_token"] == nil)  // the last page
        let createdText = String(decoding: created, as: UTF8.self)
        #expect(createdText.contains(#""environment":"{\"MONITOR_TRIGGER_ID\":\"t-1\"}""#))  // echoed as a JSON string
        let bareText = String(decoding: bare, as: UTF8.self)
        #expect(!bareText.contains("arguments") && !bareText.contains("environment"))  // zero values left out
        let listed = try JSONDecoder().decode(ListJobRunsResponse.self, from: runs)
        #expect(listed.jobRuns.map(\.arguments) == ["", "--period 0,10"])  // newest first
        #expect(listed.jobRuns.last?.environment == ["MONITOR_TRIGGER_ID": "t-1"])

        // Pages: page_size is honoured up to 1000, and tokens walk the rest.
        let (_, first) = try await rawRequest("GET", "\(base)?page_size=1", token: server.token)
        let page = try JSONDecoder().decode(ListJobsResponse.self, from: first)
        #expect(page.jobs.count == 1 && !page.nextPageToken.isEmpty)
        let (_, runPage) = try await rawRequest("GET", "\(base)/\(jobID)/runs?sort=created_at&page_size=1", token: server.token)
        let oldest = try JSONDecoder().decode(ListJobRunsResponse.self, from: runPage)
        #expect(oldest.jobRuns.map(\.arguments) == ["--period 0,10"] && oldest.nextPageToken == "1")
    }

    @Test("a create-run replaying a served trigger id gets the same run and trips no guard; a new id for the same request does")
    func replay() async throws {
        let cml = LocalCML(definitions: [JobDefinition(name: "Check Model", executable: "/bin/true")])
        let project = cml.projectID
        let job = cml.jobs[0].id
        let first = try await cml.createRun(projectID: project, jobID: job, arguments: "--period 0,2", environment: ["MONITOR_TRIGGER_ID": "a"])
        let replayed = try await cml.createRun(projectID: project, jobID: job, arguments: "--period  0,2", environment: ["MONITOR_TRIGGER_ID": "a"])
        #expect(replayed == first)
        #expect(await cml.guardTrip == nil)
        #expect(await cml.allRuns().count == 1)
        let other = await #expect(throws: APIFailure.self) {
            try await cml.createRun(projectID: project, jobID: job, arguments: "--period 1,2", environment: ["MONITOR_TRIGGER_ID": "a"])
        }
        #expect(other?.body.code == 3)  // INVALID_ARGUMENT, HTTP 400
        #expect(await cml.guardTrip == nil)
        let loop = await #expect(throws: APIFailure.self) {
            try await cml.createRun(projectID: project, jobID: job, arguments: "--period 0,2", environment: ["MONITOR_TRIGGER_ID": "b"])
        }
        #expect(loop?.body.code == 9)  // guard refusal, HTTP 409
        #expect(await cml.guardTrip != nil)
    }
}

@Suite("CA certificates for https")
struct TLSTrustVariableTests {
    @Test("the first CA file variable set wins, in the order CURL_CA_BUNDLE, SSL_CERT_FILE, REQUESTS_CA_BUNDLE; SSL_CERT_DIR besides")
    func precedence() {
        let all = ["CURL_CA_BUNDLE": "/a.pem", "SSL_CERT_FILE": "/b.pem", "REQUESTS_CA_BUNDLE": "/c.pem", "SSL_CERT_DIR": "/d"]
        #expect(TLSTrust(environment: all) == TLSTrust(caFile: "/a.pem", caFileVariable: "CURL_CA_BUNDLE", caDirectory: "/d"))
        #expect(TLSTrust(environment: ["CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "/b.pem", "REQUESTS_CA_BUNDLE": "/c.pem"]).caFile == "/b.pem")
        #expect(TLSTrust(environment: ["REQUESTS_CA_BUNDLE": "/c.pem"]).caFileVariable == "REQUESTS_CA_BUNDLE")
        #expect(TLSTrust(environment: [:]) == .system)
    }
}
