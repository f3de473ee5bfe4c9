import FoundationEssentials

/// One HTTP request, as a transport sends it.
package struct HTTPTransportRequest: Sendable {
    package var method: String
    package var url: URL
    /// Headers besides `Host`, `Connection` and `Content-Length`, which the transport sets.
    package var headers: [HTTPHeader]
    package var body: [UInt8]
    /// Time allowed from sending to the full answer.
    package var timeout: Duration

    package init(method: String, url: URL, headers: [HTTPHeader] = [], body: [UInt8] = [], timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Refuses a method or header that would break the request's framing
    /// (a line break in a value is a header injection). Values are not quoted
    /// in the message: one of them is the API key.
    func validate() throws(JobClientError) {
        guard !method.isEmpty, method.utf8.allSatisfy(HTTPSyntax.isTokenByte) else {
            throw JobClientError(.configuration, "invalid HTTP method '\(method)'")
        }
        for header in headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(HTTPSyntax.isTokenByte) else {
                throw JobClientError(.configuration, "invalid HTTP header name '\(header.name)'")
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw JobClientError(.configuration, "the value of HTTP header \(header.name) contains a line break or NUL")
            }
        }
    }
}

/// One header field.
package struct HTTPHeader: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
