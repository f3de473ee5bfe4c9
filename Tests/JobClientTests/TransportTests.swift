import CMLAPI
import Foundation
import JobClient
import Platform
import Synchronization
import TestSupport
import Testing

@Suite("HTTP transports")
struct TransportTests {
    static let list = #"{"jobs": [{"id": "a", "name": "Check Model"}], "next_page_token": ""}"#

    static func request(_ url: String, method: String = "GET", body: String = "", timeout: Duration = .seconds(5)) -> HTTPTransportRequest {
        HTTPTransportRequest(
            method: method, url: URL(string: url)!,
            headers: [HTTPHeader("Authorization", "Bearer k"), HTTPHeader("Accept", "application/json")],
            body: Array(body.utf8), timeout: timeout
        )
    }

    @Test("a closed port is a transport error naming host:port", .timeLimit(.minutes(1)), arguments: TransportKind.allCases)
    func refused(transport: TransportKind) async throws {
        let port = try closedPort()
        let error = await #expect(throws: JobClientError.self) {
            try await transport.transport.send(Self.request("http://127.0.0.1:\(port)/x"))
        }
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test("a server that accepts but never answers is a timeout error", .timeLimit(.minutes(1)), arguments: TransportKind.allCases)
    func silentServer(transport: TransportKind) async throws {
        let silent = try #require(RawTCPServer.silent())
        defer { close(silent.fd) }
        let error = await #expect(throws: JobClientError.self) {
            try await transport.transport.send(Self.request("http://127.0.0.1:\(silent.port)/x", timeout: .milliseconds(250)))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("127.0.0.1:\(silent.port)") == true)
    }

    @Test("the request carries Host, Connection: close, Content-Length, the headers and the body", arguments: TransportKind.allCases)
    func requestBytes(transport: TransportKind) async throws {
        let server = try #require(RawTCPServer.start { _, _ in rawAnswer("201 Created", body: "{}") })
        let response = try await transport.transport.send(
            Self.request("http://127.0.0.1:\(server.port)/api/v2/projects/p/jobs/a%20b/runs?x=1", method: "PATCH", body: #"{"cpu":2}"#)
        )
        #expect(response.status == 201)
        #expect(response.body == Array("{}".utf8))
        let request = try #require(server.requests.first)
        let lines = request.components(separatedBy: "\r\n")
        #expect(lines.first == "PATCH /api/v2/projects/p/jobs/a%20b/runs?x=1 HTTP/1.1")
        #expect(lines.contains("Host: 127.0.0.1:\(server.port)"))
        #expect(lines.contains("Content-Length: 9"))
        #expect(lines.contains("Authorization: Bearer k"))
        #expect(lines.contains("Accept: application/json"))
        #expect(lines.last == #"{"cpu":2}"#)
        if transport == .socket { #expect(lines.contains("Connection: close")) }
    }

    @Test("IPv6 loopback, when the machine has it", arguments: TransportKind.allCases)
    func ipv6(transport: TransportKind) async throws {
        guard let server = RawTCPServer.start(host: "::1", { _, _ in rawAnswer(body: Self.list) }) else { return }
        let response = try await transport.transport.send(Self.request("http://[::1]:\(server.port)/api/v2/x"))
        #expect(response.status == 200)
        #expect(server.requests.first?.contains("Host: [::1]:\(server.port)\r\n") == true)
    }

    @Test("a header value with a line break is refused before anything is sent, without the value", arguments: TransportKind.allCases)
    func headerInjection(transport: TransportKind) async throws {
        let server = try #require(RawTCPServer.start { _, _ in rawAnswer(body: Self.list) })
        let config = CMLConfiguration(apiBase: server.apiBase, apiKey: "secret-key\r\nX-Evil: 1", projectID: "p")
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: config, retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("Authorization") == true)
        #expect(error?.message.contains("secret-key") == false)
        #expect(server.requests.isEmpty)
    }

    @Test("a body over 16 MiB is an invalid response", arguments: TransportKind.allCases)
    func oversizedBody(transport: TransportKind) async throws {
        let big = [UInt8](repeating: 0x61, count: (16 << 20) + 100)
        let server = try #require(RawTCPServer.start { _, _ in Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + big })
        let error = await #expect(throws: JobClientError.self) {
            try await transport.transport.send(Self.request("http://127.0.0.1:\(server.port)/x"))
        }
        #expect(error?.kind == .invalidResponse)
        #expect(error?.message.contains("16 MiB") == true)
    }

    @Test("slow requests run off the cooperative pool: a loopback request answers meanwhile", arguments: TransportKind.allCases)
    func offThePool(transport: TransportKind) async throws {
        let silent = try #require(RawTCPServer.silent())
        defer { close(silent.fd) }
        let cml = try await LoopbackCML.start()
        let client = JobClient(transport: transport, configuration: cml.configuration, retry: fastRetry)
        let blockedEnded = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    _ = try? await transport.transport.send(Self.request("http://127.0.0.1:\(silent.port)/x", timeout: .milliseconds(1500)))
                    blockedEnded.add()
                }
            }
            let job = try await client.findJob(named: "Check Model")
            #expect(job.name == "Check Model")
            #expect(blockedEnded.value == 0, "the served request waited for the blocked ones")
            try await group.waitForAll()
        }
    }
}

/// A count shared between tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func add() { count.add(1, ordering: .releasing) }
}

@Suite("JobClient against raw answers")
struct JobClientRawAnswerTests {
    static let list = TransportTests.list

    @Test("a chunked answer, one read to the close, and one after 100 Continue are all read", arguments: TransportKind.allCases)
    func framings(transport: TransportKind) async throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Self.list.utf8.chunks(ofCount: 7).map { String(format: "%x", $0.count) + "\r\n" + String(decoding: $0, as: UTF8.self) + "\r\n" }.joined()
            + "0\r\n\r\n"
        let answers = [
            Array(chunked.utf8),
            Array("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n\(Self.list)".utf8),
            Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + rawAnswer(body: Self.list),
        ]
        let server = try #require(RawTCPServer.start { n, _ in answers[(n - 1) % answers.count] })
        let client = JobClient(transport: transport, configuration: server.configuration(), retry: fastRetry)
        for _ in answers {
            #expect(try await client.findJob(named: "Check Model").id == "a")
        }
        #expect(server.requests.count == answers.count)
    }

    @Test("garbage is an invalid response, not retried, without the key", arguments: TransportKind.allCases)
    func garbage(transport: TransportKind) async throws {
        let server = try #require(RawTCPServer.start { _, _ in Array("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n".utf8) })
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: server.configuration(), retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .invalidResponse)
        #expect(error?.message.contains("raw-secret-key-9876") == false)
        #expect(server.requests.count == 1)
    }

    @Test("a connection closed without an answer is retried as a transport error", arguments: TransportKind.allCases)
    func closedWithoutAnswer(transport: TransportKind) async throws {
        let server = try #require(RawTCPServer.start { n, _ in n <= 2 ? [] : rawAnswer(body: Self.list) })
        let job = try await JobClient(transport: transport, configuration: server.configuration(), retry: fastRetry).findJob(named: "Check Model")
        #expect(job.id == "a")
        #expect(server.requests.count == 3)

        let never = try #require(RawTCPServer.start { _, _ in [] })
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: never.configuration(), retry: fastRetry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("after 4 attempts") == true)
    }

    @Test("an answer cut off mid-body is retried like a reset connection", arguments: TransportKind.allCases)
    func cutOffAnswerIsRetried(transport: TransportKind) async throws {
        let cut = Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"jobs\": [".utf8)
        let server = try #require(RawTCPServer.start { n, _ in n == 1 ? cut : rawAnswer(body: Self.list) })
        let job = try await JobClient(transport: transport, configuration: server.configuration(), retry: fastRetry).findJob(named: "Check Model")
        #expect(job.id == "a")
        #expect(server.requests.count == 2)
    }

    @Test("Retry-After is waited for, capped at maxDelay", arguments: TransportKind.allCases)
    func retryAfter(transport: TransportKind) async throws {
        let busy = rawAnswer("503 Service Unavailable", headers: ["Retry-After: 1"], body: #"{"message":"later"}"#)
        let server = try #require(RawTCPServer.start { n, _ in n == 1 ? busy : rawAnswer(body: Self.list) })
        let retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(300), requestTimeout: .seconds(2))
        let waits = RecordedWaits()
        let job = try await JobClient(transport: transport, configuration: server.configuration(), retry: retry)
            .recording(waits).findJob(named: "Check Model")
        #expect(job.id == "a")
        #expect(waits.all == [.milliseconds(300)])  // Retry-After: 1 s, capped at 300 ms, not the 1 ms backoff
    }

    @Test("a silent API is a timeout error after the attempts, each cut at requestTimeout", .timeLimit(.minutes(1)), arguments: TransportKind.allCases)
    func silentAPI(transport: TransportKind) async throws {
        let silent = try #require(RawTCPServer.silent())
        defer { close(silent.fd) }
        let config = CMLConfiguration(apiBase: "http://127.0.0.1:\(silent.port)/api/v2", apiKey: "k3y-k3y-k3y", projectID: "p")
        let retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10), requestTimeout: .milliseconds(200))
        let error = await #expect(throws: JobClientError.self) {
            try await JobClient(transport: transport, configuration: config, retry: retry).findJob(named: "Check Model")
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("no answer within 0.2 s") == true)
        #expect(error?.message.contains("after 2 attempts") == true)
    }
}

extension String.UTF8View {
    /// The bytes in pieces of `count` (the last may be shorter).
    func chunks(ofCount count: Int) -> [ArraySlice<UInt8>] {
        let bytes = Array(self)
        return stride(from: 0, to: bytes.count, by: count).map { bytes[$0..<Swift.min($0 + count, bytes.count)] }
    }
}
