import Foundation
import Hummingbird
import Platform
import Synchronization
import TestSupport
import Testing

// Servers started here are never stopped (as in JobClientTests): cancelling a
// Hummingbird server while a client still holds a keep-alive connection can
// trap in NIO. They end with the test process.

/// A scripted CML API on 127.0.0.1: `respond(n, method, path)` answers request number `n`.
final class ScriptedAPI: Sendable {
    let port: Int
    private let log = Mutex<[(method: String, path: String, authorization: String)]>([])

    var requests: Int { log.withLock { $0.count } }
    var authorizations: [String] { log.withLock { $0.map(\.authorization) } }

    private init(port: Int) {
        self.port = port
    }

    static func start(
        _ respond: @escaping @Sendable (_ n: Int, _ method: String, _ path: String) async throws -> Response
    ) async throws -> ScriptedAPI {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = Mutex<ScriptedAPI?>(nil)
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let api = box.withLock { $0 }!
            let n = api.log.withLock { log in
                log.append((request.method.rawValue, request.uri.path, request.headers[.authorization] ?? ""))
                return log.count
            }
            return try await respond(n, request.method.rawValue, request.uri.path)
        }
        router.on("**", method: .get, use: handler)
        router.on("**", method: .post, use: handler)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        )
        Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let api = ScriptedAPI(port: await iterator.next() ?? 0)
        box.withLock { $0 = api }
        return api
    }

    /// The platform variables of a job pointing at this server.
    func environment(key: String) -> [String: String] {
        ["CDSW_API_URL": "http://127.0.0.1:\(port)/api/v1", "CDSW_APIV2_KEY": key, "CDSW_PROJECT_ID": "test-proj-ect0-0001"]
    }

    static let jobs = #"{"jobs": [{"id": "job-lgt", "name": "Load Ground Truth"}, {"id": "job-x", "name": "Load Ground Truth Old"}], "next_page_token": ""}"#
    static let run =
        #"{"id": "run-42", "job_id": "job-lgt", "project_id": "test-proj-ect0-0001", "status": "ENGINE_SCHEDULING", "arguments": "--period 0,1", "environment": "{}", "created_at": "2024-01-01T00:00:00Z"}"#

    /// The happy answers: the job list, then the new run.
    static func success(_ method: String) -> Response {
        method == "GET" ? .json(.ok, jobs) : .json(.ok, run)
    }
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func apiError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        .json(status, #"{"error": "\#(message)", "code": 14, "message": "\#(message)", "details": []}"#)
    }
}

/// Runs a job process off the cooperative pool, so the in-process server keeps answering.
func runJobDetached(_ job: String, _ arguments: [String], environment: [String: String], directory: String) async throws
    -> ProcessResult
{
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            do {
                let result = try runProduct(job, arguments, environment: environment, directory: directory)
                continuation.resume(returning: result)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

@Suite("Faults: the CML API down, slow, failing, then recovering", .serialized, .timeLimit(.minutes(1)))
struct APIFaultTests {
    static let key = "PLANTED-k3y-7f3a9c1e-do-not-print"

    /// A one-period data set; get-predictions is the job under test (it triggers Load Ground Truth).
    func runGetPredictions(_ environment: [String: String]) async throws -> (ProcessResult, Sandbox) {
        let sandbox = try Sandbox.make([generatedPeriod(period: 0, rows: 50, seed: 9)], label: "api")
        let result = try await runJobDetached(
            "get-predictions", ["--period", "0,1", "--data", sandbox.data, "--store", sandbox.store],
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }, directory: sandbox.root
        )
        return (result, sandbox)
    }

    /// The job's failure line: the cause, and how to resume.
    func expectTriggerFailure(_ result: ProcessResult, _ sandbox: Sandbox, cause: [String]) {
        expectOneError(
            result,
            [
                "ERROR: Could not trigger Load Ground Truth (Period 0/1): ",
                "This job's outputs are saved; resume by running job 'Load Ground Truth' with arguments '--period 0,1'",
                "(locally: load-ground-truth --period 0,1 --data \(sandbox.data) --store \(sandbox.store))",
            ] + cause
        )
        // The outputs were durable before the trigger was tried.
        #expect(FileManager.default.fileExists(atPath: "\(sandbox.periodDirectory(0))/predictions.bin"))
        #expect(!result.stdout.contains(Self.key) && !result.stderr.contains(Self.key))
    }

    @Test("503, 429 and 500 answers are retried with backoff until the API recovers")
    func recovers() async throws {
        let api = try await ScriptedAPI.start { n, method, _ in
            switch n {
            case 1: .apiError(.serviceUnavailable, "engine pool busy")
            case 2: .apiError(.tooManyRequests, "slow down")
            case 3: .apiError(.internalServerError, "hiccup")
            default: ScriptedAPI.success(method)
            }
        }
        let (result, sandbox) = try await runGetPredictions(api.environment(key: Self.key))
        defer { sandbox.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.lines.contains("✓ Triggered job: Load Ground Truth (Period 0/1)"))
        #expect(result.lines.contains("  Job run ID: run-42"))
        #expect(api.requests >= 5)  // 3 failures, the listing, the new run (more if a request outlives its timeout)
        #expect(api.authorizations.allSatisfy { $0 == "Bearer \(Self.key)" })
    }

    @Test("an API that keeps answering 503 fails the job after 5 attempts, naming the resume command")
    func keepsFailing() async throws {
        let api = try await ScriptedAPI.start { _, _, _ in .apiError(.serviceUnavailable, "maintenance window") }
        let (result, sandbox) = try await runGetPredictions(api.environment(key: Self.key))
        defer { sandbox.remove() }
        expectTriggerFailure(result, sandbox, cause: ["HTTP 503", "maintenance window", "(after 5 attempts)"])
        #expect(api.requests == 6)  // the early lookup while the job works, then the trigger's 5 attempts
    }

    @Test("an API that is down (closed port) fails the job after the retries")
    func down() async throws {
        let port = try closedPort()
        let environment = [
            "CDSW_API_URL": "http://127.0.0.1:\(port)/api/v1", "CDSW_APIV2_KEY": Self.key, "CDSW_PROJECT_ID": "p",
        ]
        let (result, sandbox) = try await runGetPredictions(environment)
        defer { sandbox.remove() }
        expectTriggerFailure(result, sandbox, cause: ["cannot reach http://127.0.0.1:\(port)/api/v2", "(after 5 attempts)"])
    }

    @Test("an API slower than the request timeout fails the job after the retries")
    func slow() async throws {
        let api = try await ScriptedAPI.start { _, method, _ in
            try await Task.sleep(for: .seconds(5))
            return ScriptedAPI.success(method)
        }
        var environment = api.environment(key: Self.key)
        environment["MONITOR_API_TIMEOUT"] = "0.3"
        let (result, sandbox) = try await runGetPredictions(environment)
        defer { sandbox.remove() }
        expectTriggerFailure(result, sandbox, cause: ["no answer within 0.3 s", "(after 5 attempts)"])
        #expect(api.requests == 6)  // the early lookup, then 5 attempts
    }

    @Test("a rejected key (401) fails at once; the key appears nowhere, even when the server echoes it")
    func rejectedKey() async throws {
        for echo in [false, true] {
            let api = try await ScriptedAPI.start { _, _, _ in
                .apiError(.unauthorized, echo ? "invalid API key \(Self.key)" : "invalid API key")
            }
            let (result, sandbox) = try await runGetPredictions(api.environment(key: Self.key))
            defer { sandbox.remove() }
            expectTriggerFailure(result, sandbox, cause: ["HTTP 401", "invalid API key"])
            #expect(api.requests == 1)
            #expect(api.authorizations == ["Bearer \(Self.key)"])
            if echo { #expect(result.stderr.contains("<redacted>")) }
            for (path, data) in snapshot(sandbox.root) {
                #expect(!String(decoding: data, as: UTF8.self).contains(Self.key), "the key is in \(path)")
            }
        }
    }

    @Test("an invalid MONITOR_API_TIMEOUT is one ERROR line before any work")
    func invalidTimeout() async throws {
        var environment = ["CDSW_API_URL": "http://127.0.0.1:9/api/v1", "CDSW_APIV2_KEY": Self.key, "CDSW_PROJECT_ID": "p"]
        environment["MONITOR_API_TIMEOUT"] = "soon"
        let (result, sandbox) = try await runGetPredictions(environment)
        defer { sandbox.remove() }
        expectOneError(result, ["Invalid MONITOR_API_TIMEOUT 'soon'"])
        #expect(!FileManager.default.fileExists(atPath: sandbox.store))
    }
}

