import CMLAPI
import Foundation
import Hummingbird
import JobClient
import Launcher
import Synchronization

// Servers started here are never stopped: stopping a Hummingbird server by
// cancelling its task while a client still holds a connection can trap in
// NIO (NIOAsyncWriter deinit). They die with the test process.

/// The launcher's API server on loopback with a fixed set of jobs (runs are
/// accepted but never started: nobody consumes the run requests).
struct LoopbackCML {
    let cml: LocalCML
    let server: LocalAPIServer
    let running: LocalAPIServer.RunningServer

    static let jobNames = ["Get Predictions", "Load Ground Truth", "Check Model", "Check Model Nightly", "Pre-Check Model"]

    static func start(names: [String] = jobNames) async throws -> LoopbackCML {
        let cml = LocalCML(definitions: names.map { JobDefinition(name: $0, executable: "/bin/true") })
        let server = LocalAPIServer(cml: cml)
        return LoopbackCML(cml: cml, server: server, running: try await server.start())
    }

    var configuration: CMLConfiguration {
        CMLConfiguration(apiBase: running.apiBase, apiKey: server.token, projectID: cml.projectID)
    }

    func job(named name: String) -> Job { cml.jobs.first { $0.name == name }! }
}

/// A scripted, hostile HTTP server: every request to any path is answered by `respond`.
final class HostileServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    private let counter: CounterRef

    /// Requests received so far.
    var requests: Int { counter.value }

    private init(port: Int, task: Task<Void, any Error>, counter: CounterRef) {
        self.port = port
        self.task = task
        self.counter = counter
    }

    /// `respond(n)` gets the 1-based number of the request.
    static func start(_ respond: @escaping @Sendable (Int) async throws -> Response) async throws -> HostileServer {
        let counter = CounterRef()
        let router = Router()
        router.on("**", method: .get) { _, _ in try await respond(counter.next()) }
        router.on("**", method: .post) { _, _ in try await respond(counter.next()) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }
        )
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return HostileServer(port: port, task: task, counter: counter)
    }

    static let key = "hostile-secret-key-123"

    var configuration: CMLConfiguration {
        CMLConfiguration(apiBase: "http://127.0.0.1:\(port)/api/v2", apiKey: Self.key, projectID: "p")
    }
}

final class CounterRef: Sendable {
    private let storage = Mutex(0)
    func next() -> Int { storage.withLock { $0 += 1; return $0 } }
    var value: Int { storage.withLock { $0 } }
}

extension Response {
    static func status(_ status: HTTPResponse.Status, json: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

/// Fast retries for tests: 4 attempts, 10 ms doubling to 40 ms, 2 s per request (a loopback
/// answer takes milliseconds, but a loaded 2-core machine running the whole suite can take
/// more than 300 ms, and a create-run request retried after a timeout is a duplicate).
let fastRetry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), requestTimeout: .seconds(2))


import Platform


/// The client's two transports: every scenario against a server runs over both.
enum TransportKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Plain sockets, what an `http://` API gets.
    case socket
    /// libcurl, what an `https://` API gets, here forced onto `http://`.
    case curl

    var transport: any HTTPTransport {
        switch self {
        case .socket: SocketHTTPTransport()
        case .curl: CurlHTTPTransport()
        }
    }

    var description: String { rawValue }
}

extension JobClient {
    /// A client over the given transport, whatever the API URL's scheme.
    init(transport kind: TransportKind, configuration: CMLConfiguration, retry: RetryPolicy) {
        self.init(configuration: configuration, retry: retry, transport: kind.transport)
    }

    /// This client, recording in `waits` the waits before its retries instead of waiting.
    func recording(_ waits: RecordedWaits) -> JobClient {
        var client = self
        client.sleep = { waits.record($0) }
        return client
    }
}

/// The waits a client asked for before its retries.
final class RecordedWaits: Sendable {
    private let waits = Mutex<[Duration]>([])
    var all: [Duration] { waits.withLock { $0 } }
    func record(_ wait: Duration) { waits.withLock { $0.append(wait) } }
}
