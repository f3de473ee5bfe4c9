import ArgumentParser
import PeriodArgs
import Platform

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
        JobContext(dataDirectory: data, storeDirectory: store, environment: processEnvironment())
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
            StandardOutput().error(usageError(error, arguments: arguments))
            exit(withError: ExitCode.failure)
        }
        let status = await command.execute()
        exit(withError: status == .success ? nil : ExitCode(status.rawValue))
    }

    /// The `ERROR:` line for `arguments`, which ArgumentParser refused with
    /// `error`: a bad `--period` first, in the contract's words, whatever else is wrong.
    static func usageError(_ error: any Error, arguments: [String]) -> String {
        do {
            _ = try PeriodArguments.parse(arguments).period.resolveRequest()
            return "ERROR: \(message(for: error)) (see --help)"
        } catch let invalid as PeriodError {
            return invalid.description
        } catch {
            // Only `--period` can be refused here: one with no word after it.
            return PeriodError(received: "", reason: "no value after --period").description
        }
    }

    public func run() async throws {
        let status = await execute()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// `--period` alone, whatever else a command line holds.
struct PeriodArguments: ParsableArguments {
    @OptionGroup var period: PeriodOption
    @Argument(parsing: .allUnrecognized) var others: [String] = []
}

/// The process environment, read from `environ` (what
/// `ProcessInfo.processInfo.environment` gives, without starting up
/// `ProcessInfo`). For a name given twice, the first value counts, as `getenv`.
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ  // nil after clearenv()
    guard var entry = start else { return result }
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
            let name = String(text[..<equals])
            if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
        }
        entry += 1
    }
    return result
}
