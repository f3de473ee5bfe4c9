import Foundation

/// Finds a job's executable: a product name beside `cml-local`'s own binary,
/// or an absolute path.
public struct ExecutableLocator: Sendable {
    /// Where product names are looked up.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Looks beside the running binary (`/proc/self/exe` on Linux).
    public static func besideCurrentExecutable() -> ExecutableLocator {
        ExecutableLocator(directory: (currentExecutablePath() as NSString).deletingLastPathComponent)
    }

    /// The absolute path of the running binary.
    public static func currentExecutablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return path
        }
        if let path = Bundle.main.executablePath { return path }
        let arg0 = CommandLine.arguments.first ?? "cml-local"
        return arg0.hasPrefix("/") ? arg0 : FileManager.default.currentDirectoryPath + "/" + arg0
    }

    /// The absolute path to run for `job`.
    ///
    /// - Throws: ``LauncherError`` `.executable` when it does not exist or is
    ///   not executable, with a hint to build it.
    public func resolve(_ job: JobDefinition) throws(LauncherError) -> String {
        let path: String
        if job.executable.hasPrefix("/") {
            path = job.executable
        } else if job.executable.contains("/") {
            throw LauncherError(
                .executable,
                "job '\(job.name)': executable '\(job.executable)' must be a product name or an absolute path"
            )
        } else {
            path = (directory as NSString).appendingPathComponent(job.executable)
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            let hint =
                job.executable.hasPrefix("/")
                ? "" : " (looked beside cml-local in \(directory); build it with `swift build -c release`)"
            throw LauncherError(.executable, "job '\(job.name)': executable not found or not executable: \(path)\(hint)")
        }
        return path
    }
}
