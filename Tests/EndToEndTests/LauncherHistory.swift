import Foundation

/// The checkout's root.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// One line of `STORE/launcher/runs.jsonl`, the fields the tests read.
struct LauncherRun: Decodable {
    var session: String
    var sequence: Int
    var job: String
    var arguments: String
    var status: String
    var exit_code: Int32?
}

/// Every run recorded in `store`, in creation order.
func launcherHistory(_ store: String) throws -> [LauncherRun] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(store)/launcher/runs.jsonl"))
    return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(LauncherRun.self, from: $0) }
        .sorted { $0.sequence < $1.sequence }
}
