import ArgumentParser
import PeriodArgs

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--data` and `--store`, shared by the three jobs.
public struct LocationOptions: ParsableArguments, Sendable {
    @Option(help: "The data set directory. [env: MONITOR_DATA_DIR] (default: data/sample)")
    public var data: String?

    @Option(help: "The store directory. [env: MONITOR_STORE_DIR] (default: state/<data set name>)")
    public var store: String?

    public init() {}

    /// A context for this process: its environment, standard output, and the
    /// CML API when the platform variables are set.
    public func context() -> JobContext {
        JobContext(dataDirectory: data, storeDirectory: store, environment: ProcessInfo.processInfo.environment)
    }
}

/// A job executable: parses its arguments and runs one step.
///
/// Usage errors end with one `ERROR:` line and exit status 1, like every other
/// failure a user can cause; `--help` prints help and exits 0.
public protocol JobCommand: AsyncParsableCommand {
    func execute() async -> ExitStatus
}

extension JobCommand {
    public static func main() async {
        JobTimings.markMain()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: Self
        do {
            command = try parse(arguments)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = message(for: error)
            if message.contains("'--period") {
                let index = arguments.firstIndex(of: "--period").map { $0 + 1 }
                let received = index.flatMap { $0 < arguments.count ? arguments[$0] : nil } ?? ""
                StandardOutput().error(PeriodError(received: received, reason: message).description)
            } else {
                StandardOutput().error("ERROR: \(message) (see --help)")
            }
            exit(withError: ExitCode.failure)
        }
        let status = await command.execute()
        exit(withError: status == .success ? nil : ExitCode(status.rawValue))
    }

    public func run() async throws {
        let status = await execute()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
