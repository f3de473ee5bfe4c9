import Foundation

/// The folder that holds the job definitions, `jobs/jobs.json`: the checkout,
/// or the CML bundle made by `scripts/package-cml` (`bin/`, `jobs/`, `data/`).
///
/// `cml-local` finds it upward from the folder of its own executable, so it
/// runs from any working directory: from `.build/<triple>/release/` that is the
/// checkout, from `bin/` the bundle. The store stays relative to the working
/// directory.
public struct ProjectRoot: Sendable, Equatable {
    /// The folder, absolute.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Where the job definitions are, relative to a project root.
    public static let jobsFileName = "jobs/jobs.json"

    /// `ROOT/jobs/jobs.json`.
    public var jobsFile: String { (path as NSString).appendingPathComponent(Self.jobsFileName) }

    /// `ROOT/data/sample`, the bundled sample data set: `cml-local run`'s data without `--data`.
    public var sampleData: String { (path as NSString).appendingPathComponent("data/sample") }

    /// The nearest of `directory` and the folders above it that holds `jobs/jobs.json`.
    public static func find(from directory: String) -> ProjectRoot? {
        var folder = (directory as NSString).standardizingPath
        while true {
            let root = ProjectRoot(path: folder)
            if FileManager.default.fileExists(atPath: root.jobsFile) { return root }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return nil }
            folder = parent
        }
    }

    /// The folder of `cml-local`'s own executable (symbolic links resolved, as `/proc/self/exe` gives it).
    public static var executableDirectory: String {
        (ExecutableLocator.currentExecutablePath() as NSString).deletingLastPathComponent
    }

    /// ``find(from:)`` from ``executableDirectory``.
    public static func besideCurrentExecutable() -> ProjectRoot? {
        find(from: executableDirectory)
    }

    /// The error when ``find(from:)`` found nothing from `directory`.
    public static func notFound(from directory: String) -> LauncherError {
        LauncherError(
            .jobDefinitions,
            "cannot find the job definitions: no \(jobsFileName) in \(directory) (cml-local's folder) or any folder above it; "
                + "run the cml-local of a checkout or of the CML bundle (bin/ beside jobs/ and data/), or give the file with --jobs FILE"
        )
    }
}
