import Foundation
import JobClient

/// A raw request to the API, bypassing the client (the socket transport, one attempt).
public func rawRequest(
    _ method: String, _ url: String, token: String?, body: String? = nil
) async throws -> (status: Int, body: Data) {
    var headers: [HTTPHeader] = []
    if let token { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
    if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
    let request = HTTPTransportRequest(
        method: method, url: URL(string: url)!, headers: headers, body: Array((body ?? "").utf8), timeout: .seconds(10)
    )
    let response = try await SocketHTTPTransport().send(request)
    return (response.status, Data(response.body))
}
