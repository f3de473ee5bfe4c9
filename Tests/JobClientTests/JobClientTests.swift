import CMLAPI
import Foundation
import Hummingbird
@testable import JobClient
import Launcher
import Testing
import TestSupport

@Suite("JobClient against the launcher's API server")
struct JobClientServerTests {
    @Test("finds the exact name among substring matches, across pages of one", arguments: TransportKind.allCases)
    func findsExactNameAcrossPages(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start()
        var client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        client.pageSize = 1
        let job = try await client.findJob(named: "Check Model")
        #expect(job == cml.job(named: "Check Model"))
        #expect(job.name == "Check Model")
    }

    @Test("no exact match is a clear jobNotFound naming the similar jobs", arguments: TransportKind.allCases)
    func noExactMatch(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start()
        let client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        let error = await #expect(throws: JobClientError.self) { try await client.findJob(named: "Check") }
        #expect(error?.kind == .jobNotFound)
        #expect(error?.message.contains("No job named exactly 'Check'") == true)
        #expect(error?.message.contains("'Check Model Nightly'") == true)

        let none = await #expect(throws: JobClientError.self) { try await client.findJob(named: "Deploy") }
        #expect(none?.message.contains("no job name contains it") == true)
    }

    @Test("several exact matches are refused", arguments: TransportKind.allCases)
    func severalExactMatches(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start(names: ["Check Model", "Check Model", "Load Ground Truth"])
        let client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        let error = await #expect(throws: JobClientError.self) { try await client.findJob(named: "Check Model") }
        #expect(error?.kind == .jobNotFound)
        #expect(error?.message.contains("2 jobs are named exactly 'Check Model'") == true)
    }

    @Test("createRun and trigger return the new run's id; the run is scheduled with the arguments", arguments: TransportKind.allCases)
    func createsRuns(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start()
        let client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        let job = cml.job(named: "Load Ground Truth")
        let run = try await client.createRun(jobID: job.id, arguments: "--period 0,4")
        #expect(run.jobID == job.id)
        #expect(run.projectID == cml.cml.projectID)
        #expect(run.arguments == "--period 0,4")
        #expect(run.status == .scheduling)
        #expect(!run.createdAt.isEmpty)
        let fetched = try await client.run(jobID: job.id, runID: run.id)
        #expect(fetched.id == run.id)

        let id = try await client.trigger(jobName: "Check Model", arguments: "--period 0,4")
        let runs = await cml.cml.allRuns()
        #expect(runs.map(\.id) == [run.id, id])
        #expect(runs.last?.jobID == cml.job(named: "Check Model").id)
    }

    @Test("a wrong key is a 401 error that does not contain the key", arguments: TransportKind.allCases)
    func wrongKey(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start()
        let secret = "wrong-but-secret-key-42"
        let config = CMLConfiguration(apiBase: cml.running.apiBase, apiKey: secret, projectID: cml.cml.projectID)
        let client = JobClient(transport: transport, configuration: config, retry: fastRetry)
        let error = await #expect(throws: JobClientError.self) {
            try await client.trigger(jobName: "Check Model", arguments: "--period 0,4")
        }
        #expect(error?.kind == .http(status: 401))
        #expect(error?.message.contains("401") == true)
        #expect(error?.message.contains(secret) == false)
        #expect(error.map { "\($0)" }?.contains(secret) == false)
        #expect(await cml.cml.allRuns().isEmpty)
    }

    @Test("unknown project, job and run are 404 errors, not retried", arguments: TransportKind.allCases)
    func notFound(transport: TransportKind) async throws {
        let cml = try await LoopbackCML.start()
        let elsewhere = CMLConfiguration(apiBase: cml.running.apiBase, apiKey: cml.server.token, projectID: "nope-nope-nope-nope")
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: elsewhere, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .http(status: 404))
        #expect(error?.message.contains("project not found") == true)
        #expect(error?.message.contains("attempts") == false)  // not retried

        let client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        let noJob = await #expect(throws: JobClientError.self) { try await client.createRun(jobID: "zzzz-zzzz-zzzz-zzzz", arguments: "") }
        #expect(noJob?.kind == .http(status: 404))
        let noRun = await #expect(throws: JobClientError.self) {
            try await client.run(jobID: cml.job(named: "Check Model").id, runID: "nope")
        }
        #expect(noRun?.kind == .http(status: 404))
    }

    @Test("arguments as a JSON list are refused with Go's message (raw request)")
    func argumentsMustBeAString() async throws {
        let cml = try await LoopbackCML.start()
        let url = "\(cml.running.apiBase)/projects/\(cml.cml.projectID)/jobs/\(cml.job(named: "Check Model").id)/runs"
        let (status, body) = try await rawRequest("POST", url, token: cml.server.token, body: #"{"arguments": ["--period", "0,4"]}"#)
        #expect(status == 400)
        let error = try JSONDecoder().decode(APIError.self, from: body)
        #expect(error.message == "json: cannot unmarshal array into Go value of type string")
        #expect(error.error == error.message)
        #expect(error.code == 3)
        #expect(error.details.isEmpty)
        #expect(await cml.cml.allRuns().isEmpty)
    }
}

@Suite("JobClient retries")
struct JobClientRetryTests {
    static let emptyList = #"{"jobs": [{"id": "a", "name": "Check Model"}], "next_page_token": ""}"#

    @Test("503 and 429 answers are retried until the server answers", arguments: [503, 429], TransportKind.allCases)
    func retriesTransientStatus(status: Int, transport: TransportKind) async throws {
        let server = try await HostileServer.start { n in
            n <= 2
                ? .status(.init(code: status), json: #"{"error":"busy","code":14,"message":"busy","details":[]}"#)
                : .status(.ok, json: Self.emptyList)
        }
        let job = try await JobClient(transport: transport, configuration: server.configuration, retry: fastRetry).findJob(named: "Check Model")
        #expect(job.id == "a")
        #expect(server.requests == 3)
    }

    @Test("a create-run that always fails with 500 fails after maxAttempts, looking for the run before each re-send", arguments: TransportKind.allCases)
    func givesUpAfterMaxAttempts(transport: TransportKind) async throws {
        let server = try await HostileServer.start { _ in
            .status(.internalServerError, json: #"{"error":"boom","code":13,"message":"database on fire","details":[]}"#)
        }
        let waits = RecordedWaits()
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: server.configuration, retry: fastRetry)
                .recording(waits).createRun(jobID: "a", arguments: "--period 0,1")
        }
        #expect(error?.kind == .http(status: 500))
        #expect(error?.message.contains("database on fire") == true)
        #expect(error?.message.contains("after 4 attempts") == true)
        #expect(error?.message.contains("A run may still appear") == true)
        #expect(server.requests == 5)  // the POST, a listing before each of 3 re-sends (each failing), a last listing
        #expect(waits.all == [.milliseconds(10), .milliseconds(20), .milliseconds(40)])
    }

    @Test("other 4xx answers fail at once with the server's message", arguments: TransportKind.allCases)
    func clientErrorsAreNotRetried(transport: TransportKind) async throws {
        let server = try await HostileServer.start { _ in
            .status(.forbidden, json: #"{"error":"no","code":7,"message":"permission denied for project p","details":[]}"#)
        }
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: server.configuration, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .http(status: 403))
        #expect(error?.message.contains("permission denied for project p") == true)
        #expect(server.requests == 1)
    }

    @Test("a closed port is a transport error after the retries, without the key", arguments: TransportKind.allCases)
    func connectionRefused(transport: TransportKind) async throws {
        let configuration = CMLConfiguration(
            apiBase: "http://127.0.0.1:\(try closedPort())/api/v2", apiKey: HostileServer.key, projectID: "p"
        )
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: configuration, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("after 4 attempts") == true)
        #expect(error?.message.contains(HostileServer.key) == false)
    }

    @Test("an answer slower than requestTimeout is a timeout error", .timeLimit(.minutes(1)), arguments: TransportKind.allCases)
    func slowAnswerTimesOut(transport: TransportKind) async throws {
        let server = try await HostileServer.start { _ in
            try await Task.sleep(for: .seconds(30))
            return .status(.ok, json: Self.emptyList)
        }
        let retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10), requestTimeout: .milliseconds(300))
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: server.configuration, retry: retry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("no answer within 0.3 s") == true)
        #expect(error?.message.contains("after 2 attempts") == true)
    }

    @Test("the server's echo of the key is redacted", arguments: TransportKind.allCases)
    func echoedKeyIsRedacted(transport: TransportKind) async throws {
        let server = try await HostileServer.start { _ in
            .status(.badRequest, json: #"{"error":"x","code":3,"message":"bad token hostile-secret-key-123","details":[]}"#)
        }
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: server.configuration, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.message.contains(HostileServer.key) == false)
        #expect(error?.message.contains("<redacted>") == true)
    }

    @Test("an echoed key cut short by the message's excerpt is redacted too")
    func truncatedEchoIsRedacted() async throws {
        // Not JSON: the message quotes the first 300 bytes, which end inside the key.
        let body = String(repeating: "x", count: 280) + "bad token " + HostileServer.key  // 10 bytes of it in the excerpt
        let server = try await HostileServer.start { _ in .status(.badRequest, json: body) }
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(configuration: server.configuration, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.message.contains("hostile-se") == false)
        #expect(error?.message.contains("<redacted>") == true)
    }
}

@Suite("CMLConfiguration and RetryPolicy")
struct ConfigurationTests {
    @Test("CDSW_API_URL keeps scheme, host and port and moves to /api/v2")
    func apiBase() throws {
        let env = ["CDSW_API_URL": "https://ml-1.example.com:8443/api/v1", "CDSW_APIV2_KEY": "k3y-value", "CDSW_PROJECT_ID": "crfy-i66p-le3j-cdss"]
        let config = try #require(try CMLConfiguration(environment: env))
        #expect(config.apiBase == "https://ml-1.example.com:8443/api/v2")
        #expect(config.projectID == "crfy-i66p-le3j-cdss")
        #expect(config.apiKey == "k3y-value")
        #expect(!config.description.contains("k3y-value"))
        let plain = try #require(try CMLConfiguration(environment: env.merging(["CDSW_API_URL": "http://host/api/v1"]) { $1 }))
        #expect(plain.apiBase == "http://host/api/v2")
    }

    @Test("values are taken without surrounding spaces or tabs; blank is unset")
    func trimmed() throws {
        let env = ["CDSW_API_URL": " \thttp://host/api/v1 ", "CDSW_APIV2_KEY": "\tk3y ", "CDSW_PROJECT_ID": "p  "]
        let config = try #require(try CMLConfiguration(environment: env))
        #expect(config.apiBase == "http://host/api/v2")
        #expect(config.apiKey == "k3y")
        #expect(config.projectID == "p")
        #expect(try CMLConfiguration(environment: ["CDSW_API_URL": " \t ", "CDSW_PROJECT_ID": "\t"]) == nil)
    }

    @Test("none of the variables set is standalone mode")
    func standalone() throws {
        #expect(try CMLConfiguration(environment: [:]) == nil)
        #expect(try CMLConfiguration(environment: ["CDSW_API_URL": "", "HOME": "/root"]) == nil)
    }

    @Test("some variables set, or a malformed URL, is a configuration error without the key")
    func incomplete() throws {
        let partial = #expect(throws: JobClientError.self) {
            try CMLConfiguration(environment: ["CDSW_APIV2_KEY": "secret-key-77"])
        }
        #expect(partial?.kind == .configuration)
        #expect(partial?.message.contains("CDSW_API_URL") == true)
        #expect(partial?.message.contains("secret-key-77") == false)
        for url in ["not a url", "ftp://host/api/v1", "/api/v1", "https:///api/v1"] {
            let malformed = #expect(throws: JobClientError.self) {
                try CMLConfiguration(environment: ["CDSW_API_URL": url, "CDSW_APIV2_KEY": "secret-key-77", "CDSW_PROJECT_ID": "p"])
            }
            #expect(malformed?.kind == .configuration)
            #expect(malformed?.message.contains("secret-key-77") == false)
        }
    }

    @Test("backoff doubles from initialDelay up to maxDelay")
    func backoff() {
        let policy = RetryPolicy.default
        #expect(policy.maxAttempts == 5)
        #expect(policy.requestTimeout == .seconds(10))
        #expect((1...6).map(policy.delay(afterAttempt:)) == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2)])
    }

    @Test("API models decode what a real CML server sends and tolerate missing fields")
    func models() throws {
        let run = try JSONDecoder().decode(
            JobRun.self,
            from: Data(#"{"id":"r1","job_id":"j","project_id":"p","status":"ENGINE_SOMETHING_NEW","arguments":"--period 1,2","environment":"{}","created_at":"2024-01-01T00:00:00Z","extra":1}"#.utf8)
        )
        #expect(run.status == .unknown)
        #expect(run.runningAt == nil)
        let list = try JSONDecoder().decode(ListJobsResponse.self, from: Data(#"{"jobs":[{"id":"a","name":"n","cpu":1.5}]}"#.utf8))
        #expect(list.nextPageToken == "")
        #expect(list.jobs.first?.cpu == 1.5)
        let body = try JSONEncoder().encode(CreateJobRunRequest(arguments: "--period 0,1"))
        #expect(String(decoding: body, as: UTF8.self) == #"{"arguments":"--period 0,1"}"#)
    }
}

@Suite("JobClient request encoding")
struct EncodingTests {
    @Test("path and query values are percent-encoded except RFC 3986 unreserved characters")
    func percentEncoding() {
        #expect(JobClient.escape("Check Model") == "Check%20Model")
        #expect(JobClient.escape("a-b_c.d~E9") == "a-b_c.d~E9")
        #expect(JobClient.escape(#"{"name":"x/y"}"#) == "%7B%22name%22%3A%22x%2Fy%22%7D")
        #expect(JobClient.escape("é+&=?#%") == "%C3%A9%2B%26%3D%3F%23%25")
        #expect(JobClient.queryString([("page_size", "100"), ("q", "a b")]) == "?page_size=100&q=a%20b")
        #expect(JobClient.queryString([]) == "")
    }
}

@Suite("JobClient: looking the next job up ahead of the trigger")
struct JobClientPrepareTests {
    static let list = #"{"jobs": [{"id": "a", "name": "Check Model"}], "next_page_token": ""}"#
    static let run = #"{"id": "r1", "job_id": "a", "project_id": "p", "status": "ENGINE_SCHEDULING"}"#

    @Test("the trigger uses the job found ahead: one listing, one new run")
    func usesTheJobFoundAhead() async throws {
        let cml = try await LoopbackCML.start()
        let client = JobClient(configuration: cml.configuration, retry: fastRetry)
        client.prepare(jobName: "Check Model")
        client.prepare(jobName: "Check Model")  // once per name
        let id = try await client.trigger(jobName: "Check Model", arguments: "--period 1,4")
        let runs = await cml.cml.allRuns()
        #expect(runs.map(\.id) == [id])
        #expect(runs.first?.arguments == "--period 1,4")
    }

    @Test("a lasting failure ahead (401) is the trigger's error, without asking again")
    func lastingFailureIsFinal() async throws {
        let server = try await HostileServer.start { _ in
            .status(.unauthorized, json: #"{"error":"no","code":16,"message":"invalid API key","details":[]}"#)
        }
        let client = JobClient(configuration: server.configuration, retry: fastRetry)
        client.prepare(jobName: "Check Model")
        let error = await #expect(throws: JobClientError.self) {
            try await client.trigger(jobName: "Check Model", arguments: "--period 0,1")
        }
        #expect(error?.kind == .http(status: 401))
        #expect(server.requests == 1)
    }

    @Test("a transient failure ahead (503) is retried at trigger time with the full budget")
    func transientFailureIsRetried() async throws {
        let server = try await HostileServer.start { n in
            switch n {
            case 1: .status(.serviceUnavailable, json: #"{"error":"busy","code":14,"message":"busy","details":[]}"#)
            case 2: .status(.ok, json: Self.list)
            default: .status(.ok, json: Self.run)
            }
        }
        let client = JobClient(configuration: server.configuration, retry: fastRetry)
        client.prepare(jobName: "Check Model")
        #expect(try await client.trigger(jobName: "Check Model", arguments: "--period 0,1") == "r1")
        #expect(server.requests == 3)
    }

    @Test("a job gone since the lookup (404 on create) is looked up again")
    func goneJobIsLookedUpAgain() async throws {
        let server = try await HostileServer.start { n in
            switch n {
            case 1, 3: .status(.ok, json: Self.list)
            case 2: .status(.notFound, json: #"{"error":"gone","code":5,"message":"job not found","details":[]}"#)
            default: .status(.ok, json: Self.run)
            }
        }
        let client = JobClient(configuration: server.configuration, retry: fastRetry)
        client.prepare(jobName: "Check Model")
        // The trigger waits for the lookup ahead (request 1) before its create (request 2, the 404).
        #expect(try await client.trigger(jobName: "Check Model", arguments: "--period 0,1") == "r1")
        #expect(server.requests == 4)
    }
}
