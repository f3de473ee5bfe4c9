/// Sends one HTTP request and returns the whole answer: the layer under
/// ``JobClient`` that knows about sockets or libcurl, and nothing about CML.
///
/// A transport makes exactly one attempt (retries are the client's business)
/// and never blocks Swift's cooperative thread pool: the blocking exchange
/// runs on a thread of its own.
package protocol HTTPTransport: Sendable {
    /// Sends `request` and waits for the full answer, at most `request.timeout`.
    ///
    /// - Throws: ``JobClientError`` of kind `.timeout` (no full answer in
    ///   time), `.transport` (refused, reset, DNS… — worth retrying),
    ///   `.invalidResponse` (the bytes are not an acceptable HTTP answer) or
    ///   `.configuration` (the request cannot be sent at all). The message
    ///   names the server as `host:port`, never a header value.
    func send(_ request: HTTPTransportRequest) async throws(JobClientError) -> HTTPTransportResponse
}
