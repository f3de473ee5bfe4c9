import ArgumentParser

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
        let command: Self
        do {
            command = try parseAsRoot() as! Self
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            StandardOutput().error("ERROR: \(message(for: error)) (see --help)")
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
