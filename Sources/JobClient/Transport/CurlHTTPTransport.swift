import CCurlShim
import FoundationEssentials
import Platform

/// HTTP(S) through libcurl, for every URL that is not plain `http://`
/// (a real CML workspace is `https://`).
///
/// libcurl is loaded with `dlopen` on the first request, so programs that
/// never make one never load it and its ~30 dependent libraries. libcurl's
/// own handling of proxy variables (`https_proxy`, `no_proxy`…) applies; the
/// trusted certificates are ``trust``'s. The exchange (bounded by the
/// request's timeout, in milliseconds) runs on a thread of its own.
package struct CurlHTTPTransport: HTTPTransport {
    package let trust: TLSTrust

    package init(trust: TLSTrust = .system) {
        self.trust = trust
    }

    package func send(_ request: HTTPTransportRequest) async throws(JobClientError) -> HTTPTransportResponse {
        try request.validate()
        let endpoint = try HTTPEndpoint(url: request.url)
        let result = await OwnThread.run(
            cancelled: .failure(JobClientError(.transport, "request to \(endpoint) cancelled")),
            unstarted: .failure(JobClientError(.transport, "cannot start a thread for the request to \(endpoint)"))
        ) {
            Result { () throws(JobClientError) in try Self.exchange(request, endpoint, trust) }
        }
        return try result.get()
    }

    private static func exchange(
        _ request: HTTPTransportRequest, _ endpoint: HTTPEndpoint, _ trust: TLSTrust
    ) throws(JobClientError) -> HTTPTransportResponse {
        let lines = request.headers.map { strdup("\($0.name): \($0.value)") }
        defer { lines.forEach { free($0) } }
        var response = ccurl_response()
        defer { ccurl_response_free(&response) }
        let timeout = max(1, Int(clamping: request.timeout.wholeMillisecondsRoundedUp))
        let outcome = lines.map { UnsafePointer($0) }.withUnsafeBufferPointer { headers in
            request.body.withUnsafeBufferPointer { body in
                ccurl_perform(
                    request.url.absoluteString, request.method, headers.baseAddress, headers.count,
                    body.baseAddress, body.count, timeout, trust.caFile, trust.caDirectory,
                    HTTPResponseParser.maxHeadBytes, HTTPResponseParser.maxBodyBytes, &response
                )
            }
        }
        let reason = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch outcome {
        case 0:
            break
        case -1:
            throw cannotLoad(reason)
        default:
            throw JobClientError(.transport, "request to \(endpoint) not sent: \(reason)", mayHaveTakenEffect: false)
        }

        if response.body_too_large != 0 {
            throw invalid(endpoint, "body larger than the \(HTTPResponseParser.maxBodyBytes >> 20) MiB limit")
        }
        if response.headers_too_large != 0 {
            throw invalid(endpoint, "headers larger than the \(HTTPResponseParser.maxHeadBytes >> 10) KiB limit")
        }
        let code = response.curl_code
        guard code == 0 else {
            var message = "\(endpoint): \(reason) (curl error \(code))"
            if code == 60 || code == 77 { message += "; the server's certificate is not trusted: \(trust.advice)" }
            // 5, 6, 7: the proxy or host did not resolve, or the connection was not made.
            throw JobClientError(kind(ofCurlCode: code), message, mayHaveTakenEffect: ![5, 6, 7].contains(code))
        }
        guard (100...599).contains(response.status) else {
            throw invalid(endpoint, "status code \(response.status)")
        }
        let headerBytes = response.headers.map { Array(UnsafeBufferPointer(start: $0, count: response.headers_length)) } ?? []
        let body = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_length)) } ?? []
        return HTTPTransportResponse(status: Int(response.status), headers: headerFields(headerBytes), body: body)
    }

    /// What a failed transfer means for the client: retry (`.transport`,
    /// `.timeout`) or not (a request that cannot work, an unacceptable answer).
    static func kind(ofCurlCode code: Int32) -> JobClientError.Kind {
        switch code {
        case 28:  // CURLE_OPERATION_TIMEDOUT
            .timeout
        case 1, 2, 3, 4, 43, 48, 53, 60, 77:  // unsupported protocol, init, malformed URL, not built in, bad argument, unknown option, SSL engine, certificate rejected, CA file
            .configuration
        case 8, 61, 63, 100:  // weird server reply, bad content encoding, too large (file size, 8.6's too large)
            .invalidResponse
        default:  // resolve, connect, TLS, send, receive (56), partial body (18), empty reply…
            .transport
        }
    }

    /// The fields of the header lines libcurl kept (the final answer's:
    /// status line first, then `Name: value` lines).
    static func headerFields(_ bytes: [UInt8]) -> [HTTPHeader] {
        var fields: [HTTPHeader] = []
        for rawLine in bytes.split(separator: .lf).dropFirst() {
            var line = rawLine
            if line.last == .cr { line = line.dropLast() }
            guard !line.isEmpty else { continue }
            if line.first == .space || line.first == .tab, !fields.isEmpty {
                fields[fields.count - 1].value += " " + String(decoding: line, as: UTF8.self).trimmingSpaces()
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            fields.append(
                HTTPHeader(
                    String(decoding: line[..<colon], as: UTF8.self),
                    String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
                )
            )
        }
        return fields
    }

    private static func cannotLoad(_ reason: String) -> JobClientError {
        JobClientError(
            .configuration,
            "https needs libcurl (libcurl.so.4): apt-get install libcurl4" + (reason.isEmpty ? "" : " (\(reason))")
        )
    }

    private static func invalid(_ endpoint: HTTPEndpoint, _ what: String) -> JobClientError {
        JobClientError(.invalidResponse, "invalid answer from \(endpoint): \(what)")
    }
}
