import CMLAPI
import Foundation
import JobClient
import Launcher
import Testing


/// The served API v2 over real loopback HTTP, raw requests. Servers are left
/// running until the test process ends (see JobClientTests/TestServers.swift).
@Suite("Local API server")
struct ServerTests {
    struct Served {
        let cml: LocalCML
        let token: String
        let base: String

        static func start() async throws -> Served {
            let cml = LocalCML(
                definitions: ["Get Predictions", "Load Ground Truth", "Check Model"].map { JobDefinition(name: $0, executable: "/bin/true") }
            )
            let server = LocalAPIServer(cml: cml)
            let running = try await server.start()
            return Served(cml: cml, token: server.token, base: running.apiBase + "/projects/\(cml.projectID)")
        }

        func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil) async throws -> (Int, Data) {
            var headers: [HTTPHeader] = []
            if let token = token ?? Optional(self.token), !token.isEmpty {
                headers.append(HTTPHeader("Authorization", "Bearer \(token)"))
            }
            let request = HTTPTransportRequest(
                method: method, url: URL(string: base + path)!, headers: headers, body: Array((body ?? "").utf8), timeout: .seconds(10)
            )
            let response = try await SocketHTTPTransport().send(request)
            return (response.status, Data(response.body))
        }

        func jobID(_ name: String) -> String { cml.jobs.first { $0.name == name }!.id }
    }

    @Test("requests without the bearer token, or with another, get 401 in CML's error shape")
    func unauthorized() async throws {
        let served = try await Served.start()
        for token in ["", "not-the-token"] {
            let (status, body) = try await served.request("GET", "/jobs", token: token)
            #expect(status == 401)
            let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(Set(object.keys) == ["error", "code", "message", "details"])
            #expect(object["code"] as? Int == 16)
            #expect((object["details"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("unknown project, job, run and route are 404 in CML's error shape")
    func notFound() async throws {
        let served = try await Served.start()
        let job = served.jobID("Check Model")
        for path in ["/jobs/nope", "/jobs/\(job)/runs/nope", "/jobs/nope/runs", "/../other-project/jobs", "/nothing-here"] {
            let (status, body) = try await served.request("GET", path)
            #expect(status == 404, "\(path)")
            let error = try JSONDecoder().decode(APIError.self, from: body)
            #expect(error.code == 5)
            #expect(!error.message.isEmpty)
        }
        let (status, _) = try await served.request("POST", "/jobs/nope/runs", body: #"{"arguments": ""}"#)
        #expect(status == 404)
    }

    @Test("search_filter matches by substring (with + as a space), page_size and page_token paginate")
    func listJobs() async throws {
        let served = try await Served.start()
        let filter = "%7B%22name%22%3A+%22o%22%7D"  // {"name": "o"} form-encoded: all three names contain "o"
        var names: [String] = []
        var token = ""
        var pages = 0
        repeat {
            let (status, body) = try await served.request("GET", "/jobs?search_filter=\(filter)&page_size=1" + (token.isEmpty ? "" : "&page_token=\(token)"))
            #expect(status == 200)
            let page = try JSONDecoder().decode(ListJobsResponse.self, from: body)
            #expect(page.jobs.count == 1)
            names += page.jobs.map(\.name)
            token = page.nextPageToken
            pages += 1
        } while !token.isEmpty && pages < 10
        #expect(names == ["Get Predictions", "Load Ground Truth", "Check Model"])

        let (_, body) = try await served.request("GET", "/jobs?search_filter=%7B%22name%22%3A%22Model%22%7D")
        #expect(try JSONDecoder().decode(ListJobsResponse.self, from: body).jobs.map(\.name) == ["Check Model"])
        let (bad, _) = try await served.request("GET", "/jobs?search_filter=not-json")
        #expect(bad == 400)
        let job = try JSONDecoder().decode(Job.self, from: try await served.request("GET", "/jobs/\(served.jobID("Check Model"))").1)
        #expect(job.name == "Check Model")
    }

    @Test("create run: string arguments and environment map accepted; other types refused as Go would")
    func createRun() async throws {
        let served = try await Served.start()
        let job = served.jobID("Load Ground Truth")
        let (status, body) = try await served.request("POST", "/jobs/\(job)/runs", body: #"{"arguments": "--period 0,2", "environment": {"X": "1"}}"#)
        #expect(status == 200)
        let run = try JSONDecoder().decode(JobRun.self, from: body)
        #expect(run.status == .scheduling)
        #expect(run.environment == ["X": "1"])
        #expect(String(decoding: body, as: UTF8.self).contains(#""environment":"{\"X\":\"1\"}""#))
        let fetched = try JSONDecoder().decode(JobRun.self, from: try await served.request("GET", "/jobs/\(job)/runs/\(run.id)").1)
        #expect(fetched == run)
        let listed = try JSONDecoder().decode(ListJobRunsResponse.self, from: try await served.request("GET", "/jobs/\(job)/runs").1)
        #expect(listed.jobRuns.map(\.id) == [run.id])

        let cases = [
            (#"{"arguments": ["--period", "0,2"]}"#, "json: cannot unmarshal array into Go value of type string"),
            (#"{"arguments": 3}"#, "json: cannot unmarshal number into Go value of type string"),
            (#"{"arguments": "", "environment": ["X=1"]}"#, "json: cannot unmarshal array into Go value of type map[string]string"),
        ]
        for (body, message) in cases {
            let (status, answer) = try await served.request("POST", "/jobs/\(job)/runs", body: body)
            #expect(status == 400)
            #expect(try JSONDecoder().decode(APIError.self, from: answer).message == message)
        }
        // A repeat of the same job and arguments is the no-progress guard.
        let (again, answer) = try await served.request("POST", "/jobs/\(job)/runs", body: #"{"arguments": "--period  0,2"}"#)
        #expect(again == 409)
        #expect(try JSONDecoder().decode(APIError.self, from: answer).message.contains("stuck on period 0"))
        #expect(await served.cml.guardTrip != nil)
    }
}

@Suite("Launcher parts")
struct LauncherPartsTests {
    @Test("run environment: base < job < run < MONITOR_* < platform; only HOME and TMPDIR from the host")
    func environmentPrecedence() {
        let environment = RunEnvironment.make(
            host: ["HOME": "/home/me", "TMPDIR": "/scratch", "SECRET": "x", "PATH": "/opt/evil"],
            job: ["PATH": "/job/bin", "MONITOR_DATA_DIR": "job-data", "CDSW_APIV2_KEY": "job-key", "A": "job"],
            run: ["A": "run"],
            dataDirectory: "/data", storeDirectory: nil,
            apiURL: "http://127.0.0.1:1/api/v1", apiKey: "key", projectID: "p"
        )
        #expect(environment == [
            "PATH": "/job/bin", "LANG": "C.UTF-8", "HOME": "/home/me", "TMPDIR": "/scratch", "A": "run",
            "MONITOR_DATA_DIR": "/data", "CDSW_API_URL": "http://127.0.0.1:1/api/v1", "CDSW_APIV2_KEY": "key",
            "CDSW_PROJECT_ID": "p",
        ])
        let bare = RunEnvironment.make(host: [:], job: [:], dataDirectory: nil, storeDirectory: nil, apiURL: "u", apiKey: "k", projectID: "p")
        #expect(bare["HOME"] == "/")
        #expect(bare["TMPDIR"] == nil)
    }

    @Test("the repository's jobs/jobs.json defines the three jobs")
    func realJobDefinitions() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let jobs = try JobDefinitions.load(from: root.appendingPathComponent("jobs/jobs.json").path)
        #expect(jobs.jobs.map(\.name) == ["Get Predictions", "Load Ground Truth", "Check Model"])
        #expect(jobs.jobs.map(\.executable) == ["get-predictions", "load-ground-truth", "check-model"])
        #expect(jobs.jobs.allSatisfy { $0.cpu == 1 && $0.memory == 2 && $0.timeoutSeconds == 3600 })
        #expect(jobs["Check Model"]?.environment["MONITOR_ON_DEGRADATION"] == "stop")
    }

    @Test("invalid job definitions are reported with the file and the job")
    func invalidJobDefinitions() throws {
        let path = NSTemporaryDirectory() + "jobs-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cases = [
            (#"{"jobs": [{"name": "A", "executable": "a"}, {"name": "A", "executable": "b"}]}"#, "used twice"),
            (#"{"jobs": [{"name": "A"}]}"#, "missing field 'executable'"),
            (#"{"jobs": [{"name": "A", "executable": "a", "environment": {"X": 1}}]}"#, "expected String"),
            (#"{"jobs": []}"#, "no jobs defined"),
            ("not json", "not valid JSON"),
        ]
        for (text, message) in cases {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: LauncherError.self) { try JobDefinitions.load(from: path) }
            #expect(error?.kind == .jobDefinitions)
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test("store layout: history, logs, metrics paths")
    func storeLayout() {
        let store = LauncherStore(root: "/s")
        #expect(store.historyFile == "/s/launcher/runs.jsonl")
        #expect(store.logFile(runID: "r") == "/s/launcher/logs/r.log")
    }

    @Test("default store: state/<data set name>, absolute; an unreadable data set is an error")
    func defaultStore() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        var options = LauncherOptions(jobs: JobDefinitions(jobs: []))
        options.workingDirectory = repository
        #expect(try options.resolveStoreDirectory() == "\(repository)/state/sample")
        options.dataDirectory = "/nonexistent/bank-2024"
        #expect(throws: LauncherError.self) { try options.resolveStoreDirectory() }
        options.storeDirectory = "/elsewhere"
        #expect(try options.resolveStoreDirectory() == "/elsewhere")
    }
}
