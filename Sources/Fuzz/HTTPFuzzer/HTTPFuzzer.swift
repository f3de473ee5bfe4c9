import FuzzSupport
import JobClient

/// Fuzzes ``HTTPResponseParser`` on arbitrary answers. The first byte picks
/// the sizes of the pieces the rest is fed in, as reads from a socket would
/// deliver it. Any input must end in an answer or an `.invalidResponse`
/// error — never a crash or a hang — and feeding it piece by piece must give
/// the same outcome as parsing it whole.
@main
enum HTTPFuzzer {
    static func main() {
        FuzzHarness.run { bytes in
            guard let control = bytes.first else { return }
            let answer = Array(bytes.dropFirst())
            let whole = Result { () throws(JobClientError) in try HTTPResponseParser.parse(answer) }

            let pieceSizes = [1, 2, 3, 7, 64, 1000, 65536]
            let piece = pieceSizes[Int(control) % pieceSizes.count]
            var parser = HTTPResponseParser()
            var end = 0
            var pieces: Result<HTTPTransportResponse, JobClientError>?
            while pieces == nil {
                end = min(answer.count, end + piece)
                do throws(JobClientError) {
                    if let response = try parser.parse(Array(answer[..<end]), atEOF: end == answer.count) {
                        pieces = .success(response)
                    }
                } catch {
                    pieces = .failure(error)
                }
                precondition(pieces != nil || end < answer.count, "no answer and no error at the end of the input")
            }

            switch (whole, pieces!) {
            case (.success(let a), .success(let b)):
                precondition(a == b, "whole and piecewise parses differ")
                precondition((100...599).contains(a.status))
                precondition(a.body.count <= HTTPResponseParser.maxBodyBytes)
            case (.failure(let a), .failure(let b)):
                precondition(a.kind == .invalidResponse && b.kind == .invalidResponse && !a.message.isEmpty)
            default:
                preconditionFailure("whole and piecewise parses disagree on success")
            }
        }
    }
}
