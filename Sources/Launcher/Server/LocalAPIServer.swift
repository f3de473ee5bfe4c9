import Foundation
import Hummingbird
import CMLAPI

/// The CML API v2 job endpoints, served on loopback for the runs of one
/// launcher session:
///
/// - `GET  /api/v2/projects/{p}/jobs?search_filter=…&page_size=…&page_token=…`
/// - `POST /api/v2/projects/{p}/jobs` — create a job (`cml-local deploy`)
/// - `GET  /api/v2/projects/{p}/jobs/{j}`
/// - `PATCH /api/v2/projects/{p}/jobs/{j}` — change the updatable fields given (`cml-local deploy`)
/// - `DELETE /api/v2/projects/{p}/jobs/{j}` — `cml-local deploy --recreate`
/// - `POST /api/v2/projects/{p}/jobs/{j}/runs` — body `{"arguments": "…", "environment": {…}}`
/// - `GET  /api/v2/projects/{p}/jobs/{j}/runs?sort=-created_at&page_size=…&page_token=…`
/// - `GET  /api/v2/projects/{p}/jobs/{j}/runs/{r}`
///
/// Every request needs `Authorization: Bearer <token>`. Errors carry CML's body shape.
public struct LocalAPIServer: Sendable {
    public let cml: LocalCML
    public let token: String

    public init(cml: LocalCML, token: String = LocalAPIServer.makeToken()) {
        self.cml = cml
        self.token = token
    }

    /// A random 256-bit bearer token, hex.
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The server, running until ``RunningServer/stop()``.
    public final class RunningServer: Sendable {
        /// The port it listens on, on 127.0.0.1.
        public let port: Int
        private let task: Task<Void, any Error>

        init(port: Int, task: Task<Void, any Error>) {
            self.port = port
            self.task = task
        }

        /// `http://127.0.0.1:PORT/api/v1`, the value of `CDSW_API_URL` for the runs.
        public var apiV1URL: String { "http://127.0.0.1:\(port)/api/v1" }
        /// `http://127.0.0.1:PORT/api/v2`.
        public var apiBase: String { "http://127.0.0.1:\(port)/api/v2" }

        /// Stops the server and waits for it.
        public func stop() async {
            task.cancel()
            _ = await task.result
        }
    }

    /// Binds 127.0.0.1 on an ephemeral port and starts serving.
    ///
    /// - Throws: ``LauncherError`` `.server` when it cannot bind.
    public func start() async throws(LauncherError) -> RunningServer {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }
        )
        let task = Task {
            defer { portContinuation.finish() }
            try await app.run()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            let reason: String
            switch await task.result {
            case .failure(let error): reason = "\(error)"
            case .success: reason = "it stopped at once"
            }
            throw LauncherError(.server, "cannot start the local CML API server on 127.0.0.1: \(reason)")
        }
        return RunningServer(port: port, task: task)
    }

    /// The router, for tests that drive it without a socket.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(APIGuardMiddleware(token: token))
        let jobs = router.group("api/v2/projects/:project/jobs")
        let cml = self.cml

        jobs.get { request, context in
            let project = try context.parameters.require("project")
            let query = Self.formDecode(request.uri.query ?? "")
            var nameFilter: String?
            if let filter = query["search_filter"], !filter.isEmpty {
                nameFilter = try Self.nameFilter(from: filter)
            }
            let page = try await cml.listJobs(
                projectID: project, nameFilter: nameFilter, pageSize: try Self.pageSize(query),
                pageToken: query["page_token"] ?? ""
            )
            return Response.json(page)
        }
        jobs.post { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let create = try Self.decodeCreateJob(Data(body.readableBytesView))
            return Response.json(try await cml.createJob(projectID: try context.parameters.require("project"), create))
        }
        jobs.patch(":job") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let update = try Self.decodeUpdateJob(Data(body.readableBytesView))
            return Response.json(
                try await cml.updateJob(
                    projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"), update
                )
            )
        }
        jobs.delete(":job") { _, context in
            try await cml.deleteJob(projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"))
            return Response.json([String: String]())
        }
        jobs.get(":job") { _, context in
            Response.json(
                try await cml.job(projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"))
            )
        }
        jobs.get(":job/runs") { request, context in
            let query = Self.formDecode(request.uri.query ?? "")
            return Response.json(
                try await cml.runs(
                    projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"),
                    sort: query["sort"] ?? "", pageSize: try Self.pageSize(query), pageToken: query["page_token"] ?? ""
                )
            )
        }
        jobs.get(":job/runs/:run") { _, context in
            Response.json(
                try await cml.run(
                    projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"),
                    runID: try context.parameters.require("run")
                )
            )
        }
        jobs.post(":job/runs") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let (arguments, environment) = try Self.decodeCreateRun(Data(body.readableBytesView))
            let run = try await cml.createRun(
                projectID: try context.parameters.require("project"), jobID: try context.parameters.require("job"),
                arguments: arguments, environment: environment
            )
            return Response.json(run)
        }
        return router
    }

    /// A query string decoded as Go's `url.ParseQuery` does: `+` is a space,
    /// then percent-decoding; the first value of a repeated key wins.
    static func formDecode(_ query: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if values[key] == nil { values[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return values
    }

    /// The `page_size` query value; 0 when absent.
    static func pageSize(_ query: [String: String]) throws(APIFailure) -> Int {
        guard let text = query["page_size"] else { return 0 }
        guard let size = Int(text), size >= 0 else { throw .badRequest("invalid page_size '\(text)'") }
        return size
    }

    /// `{"name": "…"}` → the name; other keys are ignored.
    static func nameFilter(from text: String) throws(APIFailure) -> String? {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            throw .badRequest("invalid search_filter: expected a JSON object such as {\"name\":\"Check Model\"}")
        }
        switch object["name"] {
        case nil, .null?: return nil
        case .string(let name)?: return name
        case let other?: throw .badRequest("json: cannot unmarshal \(other.goTypeName) into Go value of type string")
        }
    }

    /// The create-run body: `arguments` must be a JSON string (as in CML, a
    /// list is refused with Go's unmarshal message); `environment` a string map.
    static func decodeCreateRun(_ data: Data) throws(APIFailure) -> (String, [String: String]) {
        if data.isEmpty { return ("", [:]) }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw .badRequest("invalid request body: expected a JSON object such as {\"arguments\": \"--period 0,10\"}")
        }
        var arguments = ""
        switch object["arguments"] {
        case nil, .null?: break
        case .string(let text)?: arguments = text
        case let other?: throw .badRequest("json: cannot unmarshal \(other.goTypeName) into Go value of type string")
        }
        var environment: [String: String] = [:]
        switch object["environment"] {
        case nil, .null?: break
        case .object(let map)?:
            for (key, value) in map {
                guard case .string(let text) = value else {
                    throw .badRequest("json: cannot unmarshal \(value.goTypeName) into Go value of type string")
                }
                environment[key] = text
            }
        case let other?:
            throw .badRequest("json: cannot unmarshal \(other.goTypeName) into Go value of type map[string]string")
        }
        return (arguments, environment)
    }
}

extension LocalAPIServer {
    /// The create-job body, type-checked as CML's Go server does: `name` and
    /// `script` required strings; `cpu`, `memory` numbers (default 1);
    /// `timeout` an integer (default 0); `environment` a string map;
    /// `runtime_identifier`, `kernel`, `arguments`, `schedule` strings. Other fields are ignored.
    static func decodeCreateJob(_ data: Data) throws(APIFailure) -> CreateJobRequest {
        let fields = try JobFields(data, example: #"{"name": "Check Model", "script": "jobs/cml/check_model.py"}"#)
        guard let name = try fields.string("name"), !name.isEmpty else { throw .badRequest("job name is required") }
        guard let script = try fields.string("script"), !script.isEmpty else { throw .badRequest("job script is required") }
        return CreateJobRequest(
            name: name, script: script, cpu: try fields.number("cpu") ?? 1, memory: try fields.number("memory") ?? 1,
            timeout: try fields.integer("timeout") ?? 0, environment: try fields.stringMap("environment") ?? [:],
            runtimeIdentifier: try fields.string("runtime_identifier"), kernel: try fields.string("kernel"),
            arguments: try fields.string("arguments"), killOnTimeout: try fields.bool("kill_on_timeout"),
            schedule: try fields.string("schedule")
        )
    }

    /// The update-job body: a partial `Job`, so `environment` is a
    /// JSON-encoded string (checked by ``LocalCML/updateJob(projectID:jobID:_:)``).
    static func decodeUpdateJob(_ data: Data) throws(APIFailure) -> UpdateJobRequest {
        let fields = try JobFields(data, example: #"{"cpu": 2}"#)
        return UpdateJobRequest(
            name: try fields.string("name"), script: try fields.string("script"), cpu: try fields.number("cpu"),
            memory: try fields.number("memory"), timeout: try fields.integer("timeout"),
            environment: try fields.string("environment"), runtimeIdentifier: try fields.string("runtime_identifier"),
            kernel: try fields.string("kernel"), arguments: try fields.string("arguments"),
            killOnTimeout: try fields.bool("kill_on_timeout"), schedule: try fields.string("schedule")
        )
    }
}

/// The fields of a JSON object body, read with Go's type errors.
private struct JobFields {
    let object: [String: JSONValue]

    init(_ data: Data, example: String) throws(APIFailure) {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw .badRequest("invalid request body: expected a JSON object such as \(example)")
        }
        self.object = object
    }

    func string(_ key: String) throws(APIFailure) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw Self.mismatch(other, "string")
        }
    }

    func bool(_ key: String) throws(APIFailure) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw Self.mismatch(other, "bool")
        }
    }

    func number(_ key: String) throws(APIFailure) -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let value)?: return value
        case let other?: throw Self.mismatch(other, "float32")
        }
    }

    func integer(_ key: String) throws(APIFailure) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let value)? where value.rounded() == value && abs(value) < 1e15: return Int(value)
        case .string(let text)? where Int(text) != nil: return Int(text)  // protojson takes quoted integers too
        case let other?: throw Self.mismatch(other, "int32")
        }
    }

    func stringMap(_ key: String) throws(APIFailure) -> [String: String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let map)?:
            var result: [String: String] = [:]
            for (name, value) in map {
                guard case .string(let text) = value else { throw Self.mismatch(value, "string") }
                result[name] = text
            }
            return result
        case let other?: throw Self.mismatch(other, "map[string]string")
        }
    }

    static func mismatch(_ value: JSONValue, _ goType: String) -> APIFailure {
        .badRequest("json: cannot unmarshal \(value.goTypeName) into Go value of type \(goType)")
    }
}

/// Checks the bearer token and turns every error into CML's error body.
struct APIGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], Self.constantTimeEqual(header, "Bearer \(token)") else {
            return Response.json(
                APIFailure.unauthorized("missing or invalid bearer token (Authorization: Bearer <CDSW_APIV2_KEY>)").body,
                status: .unauthorized
            )
        }
        do {
            return try await next(request, context)
        } catch let failure as APIFailure {
            return Response.json(failure.body, status: failure.status)
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound ? "no such endpoint: \(request.method) \(request.uri.path)" : "\(error)"
            let failure = APIFailure(status: error.status, grpcCode: error.status == .notFound ? 5 : 2, message: message)
            return Response.json(failure.body, status: failure.status)
        } catch {
            return Response.json(APIFailure(status: .internalServerError, grpcCode: 13, message: "\(error)").body, status: .internalServerError)
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Any JSON value, to check field types as a Go server would.
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// The name Go's `encoding/json` uses in "cannot unmarshal X into …".
    var goTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
