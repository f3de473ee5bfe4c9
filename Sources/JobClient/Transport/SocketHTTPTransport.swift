import Platform

/// HTTP/1.1 over a plain TCP socket, for `http://` URLs (the launcher's
/// loopback API): one connection per request, `Connection: close`.
///
/// Resolves the host with `getaddrinfo` (IPv4 and IPv6, in its order),
/// connects without blocking, writes the request and reads the answer with
/// `poll`, every step bounded by one deadline (the request's timeout, to the
/// millisecond). The exchange runs on a thread of its own. The answer is read
/// by ``HTTPResponseParser``. Proxy variables do not apply.
package struct SocketHTTPTransport: HTTPTransport {
    package init() {}

    package func send(_ request: HTTPTransportRequest) async throws(JobClientError) -> HTTPTransportResponse {
        let exchange = try Exchange(request)
        // The thread keeps the deadline itself; the watchdog only covers a
        // name lookup that outlives it (getaddrinfo cannot be interrupted).
        let late = Result<HTTPTransportResponse, JobClientError>.failure(
            JobClientError(
                .timeout, "no answer from \(exchange.endpoint) in time (looking up its address took too long)", mayHaveTakenEffect: false
            )
        )
        let result = await OwnThread.run(
            giveUp: (exchange.deadline + .milliseconds(100), late),
            cancelled: .failure(JobClientError(.transport, "request to \(exchange.endpoint) cancelled")),
            unstarted: .failure(JobClientError(.transport, "cannot start a thread for the request to \(exchange.endpoint)"))
        ) {
            Result { () throws(JobClientError) in try exchange.run() }
        }
        return try result.get()
    }

    /// The same exchange, blocking the calling thread (for callers that are
    /// on a thread of their own already).
    ///
    /// - Throws: ``JobClientError`` as ``send(_:)`` does.
    package static func exchange(_ request: HTTPTransportRequest) throws(JobClientError) -> HTTPTransportResponse {
        try Exchange(request).run()
    }

    /// The bytes sent: request line, `Host`, `Connection: close`,
    /// `Content-Length` when there is a body (or the method takes one), the
    /// request's other headers, the body.
    static func requestBytes(_ request: HTTPTransportRequest, to endpoint: HTTPEndpoint) -> [UInt8] {
        var head = "\(request.method) \(endpoint.target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\nConnection: close\r\n"
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        let reserved = ["host", "connection", "content-length", "transfer-encoding"]
        for header in request.headers where !reserved.contains(header.name.lowercased()) {
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes += request.body
        return bytes
    }
}

/// One request over one connection, on the calling thread.
private struct Exchange: Sendable {
    let endpoint: HTTPEndpoint
    let bytes: [UInt8]
    let timeout: Duration
    let deadline: ContinuousClock.Instant

    init(_ request: HTTPTransportRequest) throws(JobClientError) {
        try request.validate()
        endpoint = try HTTPEndpoint(url: request.url)
        guard endpoint.scheme == "http" else {
            throw JobClientError(.configuration, "the socket transport speaks plain http, not \(endpoint.scheme)")
        }
        bytes = SocketHTTPTransport.requestBytes(request, to: endpoint)
        timeout = request.timeout
        deadline = ContinuousClock.now + request.timeout
    }

    func run() throws(JobClientError) -> HTTPTransportResponse {
        let fd = try openConnection()
        defer { close(fd) }
        // Given up on (a slow name lookup, a cancelled task): the request must not go out late.
        guard ContinuousClock.now < deadline else { throw timedOut("no connection to \(endpoint) in time") }
        try sendRequest(fd)
        return try readAnswer(fd)
    }

    // MARK: Steps

    private func openConnection() throws(JobClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var addresses: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &addresses)
        guard lookup == 0, let first = addresses else {
            let reason = Int(lookup) == Int(EAI_SYSTEM) ? Self.describe(errno) : String(cString: gai_strerror(lookup))
            throw JobClientError(.transport, "cannot resolve host '\(endpoint.host)' (\(reason))", mayHaveTakenEffect: false)
        }
        defer { freeaddrinfo(first) }

        var failure = "no address"
        var refused = false
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next?.pointee {
            next = address.ai_next
            let fd = socket(
                address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0
            )
            guard fd >= 0 else {
                failure = Self.describe(errno)
                continue
            }
            var error: Int32 = 0
            if connect(fd, address.ai_addr, address.ai_addrlen) == 0 {
                error = 0
            } else if errno == EINPROGRESS {
                guard try wait(fd, for: POLLOUT) else {
                    close(fd)
                    throw timedOut("\(endpoint) did not accept the connection").with(mayHaveTakenEffect: false)
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { error = errno }
            } else {
                error = errno
            }
            guard error != 0 else {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            close(fd)
            refused = error == ECONNREFUSED
            failure = Self.describe(error)
        }
        throw JobClientError(
            .transport, refused ? "connection refused by \(endpoint)" : "cannot connect to \(endpoint) (\(failure))",
            mayHaveTakenEffect: false
        )
    }

    private func sendRequest(_ fd: Int32) throws(JobClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                guard try wait(fd, for: POLLOUT) else { throw timedOut("\(endpoint) did not take the whole request") }
            case let error:
                throw JobClientError(.transport, "connection to \(endpoint) failed while sending the request (\(Self.describe(error)))")
            }
        }
    }

    /// The most bytes read for one answer: headers, a full body and as much again of chunk framing.
    static let maxReceivedBytes = 64 * 1024 + 2 * 16 * 1024 * 1024

    private func readAnswer(_ fd: Int32) throws(JobClientError) -> HTTPTransportResponse {
        var parser = HTTPResponseParser()
        var received: [UInt8] = []
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { (scratch) throws(JobClientError) in
            while true {
                let count = recv(fd, scratch.baseAddress, scratch.count, 0)
                if count > 0 {
                    received.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
                    // The parser bounds the headers and the decoded body; this bounds the framing too.
                    guard received.count <= Self.maxReceivedBytes else {
                        throw JobClientError(.invalidResponse, "invalid answer from \(endpoint): more than \(Self.maxReceivedBytes) bytes")
                    }
                    if let response = try parse(&parser, received, atEOF: false) { return response }
                    continue
                }
                if count == 0 {
                    guard !received.isEmpty else {
                        throw JobClientError(.transport, "\(endpoint) closed the connection without answering")
                    }
                    guard let response = try parse(&parser, received, atEOF: true) else {
                        throw JobClientError(.invalidResponse, "invalid answer from \(endpoint): incomplete")
                    }
                    return response
                }
                switch errno {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    guard try wait(fd, for: POLLIN) else {
                        throw timedOut(
                            received.isEmpty
                                ? "\(endpoint) took the request but did not answer"
                                : "the answer from \(endpoint) was incomplete (\(received.count) bytes received)"
                        )
                    }
                case let error:
                    throw JobClientError(
                        .transport, "connection to \(endpoint) failed while reading the answer (\(Self.describe(error)))"
                    )
                }
            }
        }
    }

    private func parse(
        _ parser: inout HTTPResponseParser, _ received: [UInt8], atEOF: Bool
    ) throws(JobClientError) -> HTTPTransportResponse? {
        do {
            return try parser.parse(received, atEOF: atEOF)
        } catch {
            let what = error.kind == .transport ? "answer from \(endpoint) cut short" : "invalid answer from \(endpoint)"
            throw JobClientError(error.kind, "\(what): \(error.message)")
        }
    }

    // MARK: Helpers

    /// Waits until `socket` is ready for `events` (or has an error to report);
    /// `false` when the deadline passes first.
    private func wait(_ fd: Int32, for events: Int32) throws(JobClientError) -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: remaining.wholeMillisecondsRoundedUp))
            if ready > 0 { return true }
            if ready < 0, errno != EINTR {
                throw JobClientError(.transport, "waiting for \(endpoint) failed (\(Self.describe(errno)))")
            }
        }
    }

    private func timedOut(_ what: String) -> JobClientError {
        JobClientError(.timeout, "\(what) within \(timeout.wholeMillisecondsRoundedUp) ms")
    }

    private static func describe(_ error: Int32) -> String {
        errnoMessage(error)
    }
}
