import Foundation
import Synchronization

/// Answers exactly as a real CML API v2 server sends them (grpc-gateway's
/// protojson): the bodies of the wire-format issue, verbatim. They are the
/// oracle for the client's decoding and for the imitation's conformance.
public enum WireOracle {
    public static let jobsList = #"""
        {"jobs": [{"id": "ldgt-0000-0000-0002", "name": "Load Ground Truth",
          "script": "jobs/cml/load_ground_truth.py", "cpu": 1, "memory": 2,
          "nvidia_gpu": 0, "environment": "{\"A\":\"1\"}", "timeout": "3600",
          "engine_image_id": "0", "kernel": "", "type": "manual", "paused": false,
          "runtime_identifier": "docker.repository.cloudera.com/cloudera/cdsw/ml-runtime-pbj-workbench-python3.10-standard:2025.01.1-b8",
          "created_at": "2026-12-01T10:00:00.000Z", "creator": {"username": "u"}}]}
        """#

    public static let createdRun = #"""
        {"id": "run-1", "job_id": "ldgt-0000-0000-0002", "status": "ENGINE_SCHEDULING",
         "arguments": "--period 0,10", "environment": "", "created_at": "2026-12-01T10:00:01.000Z"}
        """#

    public static let runsList = #"""
        {"job_runs": [{"id": "run-1", "job_id": "ldgt-0000-0000-0002", "status": "ENGINE_RUNNING",
          "environment": "{\"MONITOR_TRIGGER_ID\":\"5f0c…\"}", "created_at": "2026-12-01T10:00:01.000Z"}],
         "next_page_token": ""}
        """#
}

/// A stateful fake of a real CML workspace's job API on loopback, answering
/// in the wire format of ``WireOracle`` (int64 as strings, zero values left
/// out, fields the client does not know), with decoy jobs of similar names,
/// pages of one, and scripted faults. Built on ``RawTCPServer``, so it can
/// also cut a connection without answering. Runs until the test process ends.
public final class WireCML: Sendable {
    /// What happens to the first create-run request.
    public enum CreateFault: Sendable, CaseIterable, CustomStringConvertible {
        case none
        /// The run is made, then the connection is closed without an answer.
        case dropAfterCreating
        /// The run is made, then a gateway answers 504.
        case gatewayTimeoutAfterCreating
        /// A gateway answers 504 and no run is made.
        case gatewayTimeoutWithoutCreating

        public var description: String {
            switch self {
            case .none: "no fault"
            case .dropAfterCreating: "run made, connection dropped"
            case .gatewayTimeoutAfterCreating: "run made, 504"
            case .gatewayTimeoutWithoutCreating: "504, no run made"
            }
        }
    }

    /// A run the server made.
    public struct Run: Sendable {
        public let id: String
        public let jobID: String
        public let arguments: String
        public let environment: [String: String]
    }

    public static let projectID = "wire-proj-0000-0001"
    public static let key = "wire-secret-key-5c1e"
    /// The jobs, decoys included: name → id.
    public static let jobs: [(name: String, id: String)] = [
        ("Get Predictions Old", "gpol-0000-0000-0009"), ("Get Predictions", "gprd-0000-0000-0001"),
        ("Load Ground Truth (copy)", "ldgc-0000-0000-0008"), ("Load Ground Truth", "ldgt-0000-0000-0002"),
        ("Check Model Nightly", "chkn-0000-0000-0007"), ("Check Model", "chkm-0000-0000-0003"),
    ]

    private struct State {
        var runs: [Run] = []
        var requests = 0
        var createFaultUsed = false
        var looks = 0
    }

    private let server: RawTCPServer
    private let state: Mutex<State>

    /// The runs made so far, oldest first.
    public var runs: [Run] { state.withLock { $0.runs } }
    /// The raw requests received so far.
    public var requests: [String] { server.requests }
    public var port: Int { server.port }

    /// The platform variables of a job run pointing at this server.
    public var environment: [String: String] {
        ["CDSW_API_URL": "http://127.0.0.1:\(server.port)/api/v1", "CDSW_APIV2_KEY": Self.key, "CDSW_PROJECT_ID": Self.projectID]
    }

    private init(server: RawTCPServer) {
        self.server = server
        self.state = Mutex(State())
    }

    /// Starts serving.
    ///
    /// - Parameters:
    ///   - transient503: the first this many requests are answered 503.
    ///   - createFault: what happens to the first create-run request.
    ///   - echoesEnvironment: whether listed runs show the environment they were created with.
    ///   - echoesArguments: whether listed runs show their arguments.
    ///   - failingLooks: the first this many run listings are answered 503.
    public static func start(
        transient503: Int = 0, createFault: CreateFault = .none, echoesEnvironment: Bool = true,
        echoesArguments: Bool = true, failingLooks: Int = 0
    ) throws -> WireCML {
        let box = Mutex<WireCML?>(nil)
        guard
            let server = RawTCPServer.start({ _, request in
                guard let fake = box.withLock({ $0 }) else { return rawAnswer("503 Service Unavailable", body: "{}") }
                return fake.answer(
                    request, transient503: transient503, createFault: createFault,
                    echoes: (environment: echoesEnvironment, arguments: echoesArguments), failingLooks: failingLooks
                )
            })
        else { throw POSIXError(.EADDRNOTAVAIL) }
        let fake = WireCML(server: server)
        box.withLock { $0 = fake }
        return fake
    }

    /// Adds a run made without this project's client (by hand, say), with no environment.
    public func seedRun(jobID: String, arguments: String) {
        state.withLock { state in
            state.runs.append(Run(id: "run-\(state.runs.count + 1)", jobID: jobID, arguments: arguments, environment: [:]))
        }
    }

    private func answer(
        _ raw: String, transient503: Int, createFault: CreateFault, echoes: (environment: Bool, arguments: Bool), failingLooks: Int
    ) -> [UInt8] {
        let n = state.withLock { $0.requests += 1; return $0.requests }
        let head = raw.components(separatedBy: "\r\n\r\n").first ?? ""
        let body = raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let words = (head.components(separatedBy: "\r\n").first ?? "").split(separator: " ")
        guard words.count >= 2 else { return error("400 Bad Request", 3, "malformed request") }
        guard head.contains("Authorization: Bearer \(Self.key)") || head.contains("authorization: Bearer \(Self.key)") else {
            return error("401 Unauthorized", 16, "invalid API key")
        }
        if n <= transient503 { return error("503 Service Unavailable", 14, "upstream connect error") }
        let method = String(words[0])
        let target = String(words[1])
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let query = Self.query(target)
        let parts = path.split(separator: "/").map(String.init)  // api v2 projects P jobs [J [runs]]
        guard parts.count >= 5, parts[0] == "api", parts[1] == "v2", parts[2] == "projects", parts[4] == "jobs" else {
            return error("404 Not Found", 5, "Not Found")
        }
        guard parts[3] == Self.projectID else { return error("404 Not Found", 5, "project not found") }
        switch (method, parts.count) {
        case ("GET", 5):
            return listJobs(query)
        case ("POST", 7) where parts[6] == "runs":
            return createRun(jobID: parts[5], body: body, fault: createFault)
        case ("GET", 7) where parts[6] == "runs":
            let look = state.withLock { $0.looks += 1; return $0.looks }
            if look <= failingLooks { return error("503 Service Unavailable", 14, "upstream connect error") }
            return listRuns(jobID: parts[5], query: query, echoes: echoes)
        default:
            return error("404 Not Found", 5, "Not Found")
        }
    }

    private func listJobs(_ query: [String: String]) -> [UInt8] {
        var filter = ""
        if let text = query["search_filter"], let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            filter = object["name"] as? String ?? ""
        }
        let matching = Self.jobs.filter { filter.isEmpty || $0.name.range(of: filter, options: .caseInsensitive) != nil }
        let start = Int(query["page_token"] ?? "") ?? 0
        guard start >= 0, start <= matching.count else { return error("400 Bad Request", 3, "invalid page token") }
        let end = min(start + 1, matching.count)  // pages of one, whatever page_size asks
        let jobs = matching[start..<end].map { job in
            #"{"id": "\#(job.id)", "name": "\#(job.name)", "script": "jobs/cml/x.py", "cpu": 1, "memory": 2, "#
                + #""nvidia_gpu": 0, "environment": "{\"MONITOR_MAX_DROP\":\"0.05\"}", "timeout": "3600", "#
                + #""engine_image_id": "0", "kernel": "", "type": "manual", "paused": false, "#
                + #""runtime_identifier": "docker.repository.cloudera.com/cloudera/cdsw/ml-runtime-pbj-workbench-python3.10-standard:2025.01.1-b8", "#
                + #""created_at": "2026-12-01T10:00:00.000Z", "creator": {"username": "u"}}"#
        }
        let token = end < matching.count ? #", "next_page_token": "\#(end)""# : ""  // left out on the last page
        return rawAnswer(body: #"{"jobs": [\#(jobs.joined(separator: ", "))]\#(token)}"#)
    }

    private func createRun(jobID: String, body: String, fault: CreateFault) -> [UInt8] {
        guard Self.jobs.contains(where: { $0.id == jobID }) else { return error("404 Not Found", 5, "job not found") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            return error("400 Bad Request", 3, "invalid body")
        }
        guard let arguments = object["arguments"] as? String else {
            return error("400 Bad Request", 3, "json: cannot unmarshal array into Go value of type string")
        }
        let environment = object["environment"] as? [String: String] ?? [:]
        let firstFault = state.withLock { state -> CreateFault in
            defer { state.createFaultUsed = true }
            return state.createFaultUsed ? .none : fault
        }
        if firstFault == .gatewayTimeoutWithoutCreating {
            return rawAnswer("504 Gateway Timeout", headers: ["Content-Type: text/plain"], body: "upstream request timeout")
        }
        let run = state.withLock { state -> Run in
            let run = Run(id: "run-\(state.runs.count + 1)", jobID: jobID, arguments: arguments, environment: environment)
            state.runs.append(run)
            return run
        }
        switch firstFault {
        case .dropAfterCreating: return []
        case .gatewayTimeoutAfterCreating:
            return rawAnswer("504 Gateway Timeout", headers: ["Content-Type: text/plain"], body: "upstream request timeout")
        case .none, .gatewayTimeoutWithoutCreating:
            return rawAnswer(body: Self.runJSON(run, status: "ENGINE_SCHEDULING", echoes: true))
        }
    }

    private func listRuns(jobID: String, query: [String: String], echoes: (environment: Bool, arguments: Bool)) -> [UInt8] {
        let all = runs.filter { $0.jobID == jobID }
        let ordered = query["sort"] == "created_at" ? all : all.reversed()
        let size = min(max(Int(query["page_size"] ?? "") ?? 10, 1), 1000)
        let page = ordered.prefix(size).map {
            Self.runJSON($0, status: "ENGINE_RUNNING", echoes: echoes.environment, arguments: echoes.arguments)
        }
        let token = ordered.count > size ? #", "next_page_token": "\#(size)""# : ""
        return rawAnswer(body: #"{"job_runs": [\#(page.joined(separator: ", "))]\#(token)}"#)
    }

    private static func runJSON(_ run: Run, status: String, echoes: Bool, arguments: Bool = true) -> String {
        var fields = [#""id": "\#(run.id)""#, #""job_id": "\#(run.jobID)""#, #""status": "\#(status)""#]
        if arguments, !run.arguments.isEmpty { fields.append(#""arguments": \#(jsonString(run.arguments))"#) }
        if echoes, !run.environment.isEmpty {
            let object = String(decoding: try! JSONSerialization.data(withJSONObject: run.environment, options: .sortedKeys), as: UTF8.self)
            fields.append(#""environment": \#(jsonString(object))"#)
        }
        fields.append(#""created_at": "2026-12-01T10:00:01.000Z", "project_id": "\#(projectID)", "kind": "job_run""#)
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: .fragmentsAllowed), as: UTF8.self)
            .dropFirst().dropLast().description
    }

    private func error(_ status: String, _ code: Int, _ message: String) -> [UInt8] {
        rawAnswer(status, body: #"{"error": "\#(message)", "code": \#(code), "message": "\#(message)", "details": []}"#)
    }

    private static func query(_ target: String) -> [String: String] {
        guard let components = URLComponents(string: "http://x" + target) else { return [:] }
        var values: [String: String] = [:]
        for item in components.queryItems ?? [] where values[item.name] == nil { values[item.name] = item.value ?? "" }
        return values
    }
}
