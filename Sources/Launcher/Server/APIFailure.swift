import Foundation
import Hummingbird
import CMLAPI

/// An error answer of the local API: an HTTP status and the CML error body
/// `{"error", "code", "message", "details": []}` (code = gRPC status code, as
/// CML's grpc-gateway sends).
public struct APIFailure: Error, Sendable, Equatable, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let body: APIError

    public init(status: HTTPResponse.Status, grpcCode: Int, message: String) {
        self.status = status
        self.body = APIError(error: message, code: grpcCode, message: message, details: [])
    }

    static func badRequest(_ message: String) -> APIFailure { .init(status: .badRequest, grpcCode: 3, message: message) }
    static func unauthorized(_ message: String) -> APIFailure { .init(status: .unauthorized, grpcCode: 16, message: message) }
    static func notFound(_ message: String) -> APIFailure { .init(status: .notFound, grpcCode: 5, message: message) }
    static func conflict(_ message: String) -> APIFailure { .init(status: .conflict, grpcCode: 9, message: message) }
    /// gRPC FAILED_PRECONDITION, which grpc-gateway answers with 400.
    static func failedPrecondition(_ message: String) -> APIFailure { .init(status: .badRequest, grpcCode: 9, message: message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(body, status: status)
    }
}

extension Response {
    /// A JSON response of `value`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
