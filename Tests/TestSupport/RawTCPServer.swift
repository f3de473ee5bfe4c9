import Foundation
import JobClient
import Platform
import Synchronization

/// A TCP server on loopback that answers each connection with scripted raw
/// bytes (malformed, chunked, cut short…) and closes it, on a thread of its
/// own. `reply(n, request)` gets the 1-based connection number and the
/// request's bytes (head and `Content-Length` body). Like the other test
/// servers it runs until the test process ends.
public final class RawTCPServer: Sendable {
    public let port: Int
    public let host: String
    private let received = Mutex<[String]>([])

    /// Every request received so far, as text.
    public var requests: [String] { received.withLock { $0 } }

    public var apiBase: String { host.contains(":") ? "http://[\(host)]:\(port)/api/v2" : "http://\(host):\(port)/api/v2" }

    public func configuration(key: String = "raw-secret-key-9876") -> CMLConfiguration {
        CMLConfiguration(apiBase: apiBase, apiKey: key, projectID: "p")
    }

    private init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Starts serving; `nil` when `host` cannot be bound (no IPv6 loopback, say).
    public static func start(host: String = "127.0.0.1", _ reply: @escaping @Sendable (Int, String) -> [UInt8]) -> RawTCPServer? {
        guard let (fd, port) = listeningSocket(host: host) else { return nil }
        let server = RawTCPServer(host: host, port: port)
        Thread.detachNewThread {
            var n = 0
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else {
                    if errno == EINTR { continue }
                    return
                }
                n += 1
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let request = readRequest(connection)
                server.received.withLock { $0.append(request) }
                let answer = reply(n, request)
                answer.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let sent = send(connection, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                        if sent <= 0 { break }
                        offset += sent
                    }
                }
                close(connection)
            }
        }
        return server
    }

    /// A socket listening on `host` that nobody accepts from: connections
    /// complete (the kernel's backlog) and no answer ever comes.
    public static func silent(host: String = "127.0.0.1") -> (fd: Int32, port: Int)? {
        listeningSocket(host: host)
    }

    private static func listeningSocket(host: String) -> (Int32, Int)? {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var port = 0
        let bound: Bool
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            port = Int(UInt16(bigEndian: address.sin6_port))
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr(host)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        guard bound else {
            close(fd)
            return nil
        }
        return (fd, port)
    }

    /// The request head and its `Content-Length` body, as text.
    private static func readRequest(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            bytes += buffer[..<count]
            let text = String(decoding: bytes, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `HTTP/1.1 <status>` with `headers` and a `Content-Length` body.
public func rawAnswer(_ status: String = "200 OK", headers: [String] = ["Content-Type: application/json"], body: String) -> [UInt8] {
    Array(("HTTP/1.1 \(status)\r\n" + (headers + ["Content-Length: \(body.utf8.count)"]).map { $0 + "\r\n" }.joined() + "\r\n" + body).utf8)
}
