import FoundationEssentials

/// Where a request goes: host, port and request target of an `http(s)://` URL.
package struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    package let scheme: String
    /// The host name or address, IPv6 without brackets.
    package let host: String
    package let port: Int
    /// The value of the `Host` header: the host (IPv6 in brackets) and the port when the URL names one.
    package let hostHeader: String
    /// Path and query, percent-encoded as in the URL; `/` when the path is empty.
    package let target: String

    package init(url: URL) throws(JobClientError) {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host, !host.isEmpty
        else {
            throw JobClientError(.configuration, "not an http(s) URL with a host: \(url.absoluteString)")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else {
            throw JobClientError(.configuration, "port \(port) out of range in \(url.absoluteString)")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = components.port == nil ? bracketed : "\(bracketed):\(port)"
        let path = components.percentEncodedPath
        target = (path.isEmpty ? "/" : path) + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw JobClientError(.configuration, "the request path of \(url.absoluteString) has spaces or control characters")
        }
    }

    /// `host:port`, IPv6 in brackets.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
