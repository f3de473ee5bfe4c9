import ArgumentParser
import PeriodArgs

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
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
        JobContext(dataDirectory: data, storeDirectory: store, environment: processEnvironment())
    }
}

/// A job executable: parses its arguments and runs one step.
///
/// Usage errors end with one `ERROR:` line and exit status 1, like every other
/// failure a user can cause; `--help` prints help and exits 0.
public protocol JobCommand: AsyncParsableCommand {
    func execute() async -> ExitStatus

    /// The command for a plain command line (see ``CommonArguments``), built
    /// without ArgumentParser; `nil` hands the arguments to ArgumentParser.
    static func parseCommonCase(_ arguments: [String]) -> Self?
}

extension JobCommand {
    public static func parseCommonCase(_ arguments: [String]) -> Self? { nil }
}

/// A plain job command line — `--name value` pairs of known option names,
/// every value non-empty and not starting with `-`, only `--period` given more
/// than once — read without ArgumentParser, whose reflection of the command
/// type costs about 3 ms per process (and the pipeline starts 3T+1 of them).
/// Anything else (help, `--name=value`, unknown or repeated options, …) is
/// `nil` and goes through ArgumentParser, so behaviour is unchanged.
public struct CommonArguments {
    public static let locationNames = ["--data", "--store"]
    public static let degradationNames = [
        "--min-accuracy", "--max-drop", "--significance", "--min-labeled", "--on-degradation", "--max-psi",
        "--on-estimated-degradation",
    ]

    /// The `(name, value)` pairs in order. (Arrays, not a set and a
    /// dictionary: a handful of names, and no hashing before `main` needs any.)
    private var pairs: [(name: String, value: String)] = []

    /// - Parameter names: the option names the command has besides `--period`.
    public init?(_ arguments: [String], names: [String]) {
        guard arguments.count % 2 == 0 else { return nil }
        var i = 0
        while i < arguments.count {
            let name = arguments[i], value = arguments[i + 1]
            let isPeriod = name == "--period"
            guard isPeriod || names.contains(name), let first = value.utf8.first, first != UInt8(ascii: "-"),
                isPeriod || !pairs.contains(where: { $0.name == name })
            else { return nil }
            pairs.append((name, value))
            i += 2
        }
    }

    private func value(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    public var period: PeriodOption {
        var option = PeriodOption()
        option.period = pairs.filter { $0.name == "--period" }.map(\.value)
        return option
    }

    public var location: LocationOptions {
        var options = LocationOptions()
        options.data = value("--data")
        options.store = value("--store")
        return options
    }

    public var degradation: DegradationOptions {
        var options = DegradationOptions()
        options.minAccuracy = value("--min-accuracy")
        options.maxDrop = value("--max-drop")
        options.significance = value("--significance")
        options.minLabeled = value("--min-labeled")
        options.onDegradation = value("--on-degradation")
        options.maxPsi = value("--max-psi")
        options.onEstimatedDegradation = value("--on-estimated-degradation")
        return options
    }
}

extension JobCommand {
    public static func main() async {
        JobTimings.markMain()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: Self
        do {
            command = try parseCommonCase(arguments) ?? parse(arguments)
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

/// The process environment, read from `environ` (what
/// `ProcessInfo.processInfo.environment` gives, without starting up
/// `ProcessInfo`). For a name given twice, the first value counts, as `getenv`.
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    #if canImport(Darwin)
    let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = _NSGetEnviron().pointee
    #else
    let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ  // nil after clearenv()
    #endif
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
