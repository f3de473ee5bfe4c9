import Foundation
import Hummingbird
import JobClient
import Launcher
import Synchronization

// Servers started here are never stopped: stopping a Hummingbird server while
// a client still holds a connection can trap in NIO. They die
// with the test process.

/// Fast retries for tests: 3 attempts, 5 ms doubling to 20 ms. The request
/// timeout is generous (a loaded machine must not turn an answer into a
/// retry and change the request counts) except where a test needs a timeout.
func fastRetry(requestTimeout: Duration = .seconds(5)) -> RetryPolicy {
    RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), maxDelay: .milliseconds(20), requestTimeout: requestTimeout)
}

/// The three jobs of `jobs/jobs.json`, as the repository defines them.
func repositoryDefinitions() throws -> JobDefinitions {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try JobDefinitions.load(from: root.appendingPathComponent("jobs/jobs.json").path)
}

/// Records "METHOD /path" of every request, in order.
final class RequestLog: Sendable {
    private let entries = Mutex<[String]>([])

    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
    /// The POST and PATCH requests among the first `from`…end.
    func writes(from start: Int = 0) -> [String] {
        all.dropFirst(start).filter { $0.hasPrefix("POST") || $0.hasPrefix("PATCH") }
    }
}

/// The launcher's API server on loopback, every request logged; `fault`
/// may answer a request instead of the server (by its log entry and 1-based number).
struct RecordingCML {
    let cml: LocalCML
    let token: String
    let log: RequestLog
    let port: Int

    /// - Parameters:
    ///   - lose: requests the server carries out but whose answer becomes a 504 (a lost answer).
    ///   - ignorePatches: answer a PATCH with the job as it is, changing nothing (a server ignoring the fields).
    static func start(
        existing: [JobDefinition] = [], token: String = LocalAPIServer.makeToken(),
        fault: (@Sendable (String, Int) -> Response?)? = nil, lose: (@Sendable (String, Int) -> Bool)? = nil,
        ignorePatches: Bool = false
    ) async throws -> RecordingCML {
        let cml = LocalCML(definitions: existing)
        let inner = LocalAPIServer(cml: cml, token: token).makeRouter().buildResponder()
        let log = RequestLog()
        let counter = Mutex(0)
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            let entry = "\(request.method) \(request.uri.path)"
            log.append(entry)
            let number = counter.withLock { $0 += 1; return $0 }
            if let fault, let answer = fault(entry, number) { return answer }
            if ignorePatches, request.method == .patch {
                var head = request.head
                head.method = .get
                return try await inner.respond(to: Request(head: head, body: .init(buffer: ByteBuffer())), context: context)
            }
            let answer = try await inner.respond(to: request, context: context)
            if let lose, lose(entry, number) { return .apiError(.gatewayTimeout, "upstream request timeout") }
            return answer
        }
        let port = try await serve(responder)
        return RecordingCML(cml: cml, token: token, log: log, port: port)
    }

    var configuration: CMLConfiguration {
        CMLConfiguration(apiBase: "http://127.0.0.1:\(port)/api/v2", apiKey: token, projectID: cml.projectID)
    }

    func client() -> JobClient { JobClient(configuration: configuration, retry: fastRetry()) }
}

/// A scripted HTTP server: `respond(method, n)` answers request number `n` (1-based) of any path.
struct HostileServer {
    let port: Int
    let log: RequestLog

    static let key = "hostile-secret-key-123"

    static func start(_ respond: @escaping @Sendable (String, Int) async throws -> Response) async throws -> HostileServer {
        let log = RequestLog()
        let counter = Mutex(0)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            log.append("\(request.method) \(request.uri.path)")
            let number = counter.withLock { $0 += 1; return $0 }
            return try await respond("\(request.method)", number)
        }
        let port = try await serve(responder)
        return HostileServer(port: port, log: log)
    }

    func client(requestTimeout: Duration = .seconds(5)) -> JobClient {
        JobClient(
            configuration: CMLConfiguration(apiBase: "http://127.0.0.1:\(port)/api/v2", apiKey: Self.key, projectID: "proj-ect0-0000-0001"),
            retry: fastRetry(requestTimeout: requestTimeout)
        )
    }
}

/// Runs `responder` on 127.0.0.1, port 0, and returns the port it got.
private func serve(_ responder: CallbackResponder<BasicRequestContext>) async throws -> Int {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        responder: responder,
        configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
    )
    Task {
        defer { continuation.finish() }
        try await app.run()
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else { throw POSIXError(.EADDRNOTAVAIL) }
    return port
}

extension Response {
    static func status(_ status: HTTPResponse.Status, json: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    static func apiError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        .status(status, json: #"{"error":"\#(message)","code":13,"message":"\#(message)","details":[]}"#)
    }
}
