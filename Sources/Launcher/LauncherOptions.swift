import Foundation
import MonitorData
import MonitorStore
import PeriodArgs

/// What one `cml-local run` does.
public struct LauncherOptions: Sendable {
    /// The jobs the local project has.
    public var jobs: JobDefinitions
    /// The file ``jobs`` was read from, absolute: named in the launcher's first
    /// line and copied into the rehearsal project; `nil` when they were not read from a file.
    public var jobsFile: String?
    /// The data set, absolute (see ``dataDirectory(_:environment:root:)``); given to the jobs as `MONITOR_DATA_DIR`.
    public var dataDirectory: String?
    /// The store, absolute (see ``storeDirectory(_:environment:)``); given to the jobs as `MONITOR_STORE_DIR`.
    public var storeDirectory: String?
    /// `--period`: the first run's period; `nil` starts without `--period`.
    public var period: Period?
    /// `--period next`: the first run continues where the store stopped
    /// (``period`` is then `nil`).
    public var next = false
    /// `--max-runs`: the most runs one pipeline may create, at least the
    /// pipeline's `3(T−C)+1`; `nil` follows the data set: `3(T−C)+1` plus 10.
    public var maxRuns: Int?
    /// `--run-timeout`: overrides every job's `timeout_seconds`.
    public var runTimeout: Duration?
    /// Time between SIGTERM and SIGKILL when a run is stopped.
    public var killGrace: Duration = .seconds(5)
    /// The job the launcher starts the pipeline with.
    public var firstJob: String = "Get Predictions"
    /// Where the runs start; default: the launcher's current directory.
    public var workingDirectory: String = FileManager.default.currentDirectoryPath
    /// Where product-name executables are found; default: beside the running binary.
    public var locator: ExecutableLocator = .besideCurrentExecutable()
    /// `--job-env NAME=VALUE`: added to every job's own environment for this launcher run.
    public var jobEnvironment: [String: String] = [:]
    /// Colours in the summary table (ANSI); the command sets it only for a
    /// terminal without `NO_COLOR`, so tests and pipes get plain text.
    public var color = false
    /// `--as-cml`: run every job the way CML will (see ``Rehearsal``); `nil`
    /// runs each job's executable directly, the fast way.
    public var rehearsal: Rehearsal?
    /// The launcher's environment, source of `HOME` and `TMPDIR` only.
    public var hostEnvironment: [String: String] = ProcessInfo.processInfo.environment

    public init(jobs: JobDefinitions) {
        self.jobs = jobs
    }

    /// The store the launcher writes its history and logs to, and reads the
    /// metrics of the summary from: `--store`, else the jobs' default,
    /// `state/<data set name>` (the metadata's `name`), absolute.
    ///
    /// - Throws: ``LauncherError`` when the default is needed and the data set cannot be read.
    public func resolveStoreDirectory() throws(LauncherError) -> String {
        if let storeDirectory { return storeDirectory }
        do {
            let name = try DataSet(directory: resolvedDataDirectory).metadata.name
            return Self.absolute(Store.defaultRoot(dataSetName: name), in: workingDirectory)
        } catch {
            throw LauncherError(.store, "cannot find the default store: \(error.description)")
        }
    }

    /// The data set the jobs read: ``dataDirectory``, else theirs without
    /// `MONITOR_DATA_DIR`, `data/sample` in the ``workingDirectory``.
    public var resolvedDataDirectory: String {
        dataDirectory ?? Self.absolute("data/sample", in: workingDirectory)
    }

    /// `path` made absolute against `directory`, `.` and `..` resolved.
    public static func absolute(_ path: String, in directory: String = FileManager.default.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }
}
