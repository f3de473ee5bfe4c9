import Foundation
import MonitorStore
import Platform
import Synchronization

/// The launcher's files in a store, under `ROOT/launcher` (the jobs' files: ``Store``):
///
/// ```
/// ROOT/launcher/runs.jsonl            run history, one JSON object per finished run, appended and fsynced
/// ROOT/launcher/logs/<run-id>.log     each run's output, stdout and stderr lines in arrival order
/// ROOT/launcher/rehearsal/            cml-local run --as-cml: the project its runs start in
/// ```
///
/// It also reads the periods' `metrics.json` for the summary.
public final class LauncherStore: Sendable {
    /// The store directory, absolute.
    public var root: String { store.root }
    public let store: Store
    private let historyLock = Mutex(())

    public init(root: String) {
        self.store = Store(root: root)
    }

    /// `ROOT/launcher/runs.jsonl`.
    public var historyFile: String { "\(root)/launcher/runs.jsonl" }
    /// `ROOT/launcher/logs`.
    public var logsDirectory: String { "\(root)/launcher/logs" }
    /// `ROOT/launcher/rehearsal`: the project a rehearsal (`--as-cml`) runs its jobs in.
    public var rehearsalDirectory: String { "\(root)/launcher/rehearsal" }

    public func logFile(runID: String) -> String {
        "\(logsDirectory)/\(runID).log"
    }

    /// Creates the launcher's directories.
    public func prepare() throws(LauncherError) {
        do {
            try FileManager.default.createDirectory(atPath: logsDirectory, withIntermediateDirectories: true)
        } catch {
            throw LauncherError(.store, "cannot create \(logsDirectory): \(error.localizedDescription)")
        }
    }

    /// Appends one line to the run history and fsyncs it.
    public func appendHistory(_ entry: RunHistoryEntry) throws(LauncherError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else {
            throw LauncherError(.store, "cannot encode the history entry of run \(entry.id)")
        }
        line.append(UInt8(ascii: "\n"))
        try historyLock.withLock { _ throws(LauncherError) in
            let fd = open(historyFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw LauncherError(.store, "cannot open \(historyFile): \(errnoMessage())") }
            defer { close(fd) }
            guard writeAll(fd, line), fsync(fd) == 0 else {
                throw LauncherError(.store, "cannot write \(historyFile): \(errnoMessage())")
            }
        }
    }

    /// The run history, oldest first; lines that do not decode are skipped.
    public func history() -> [RunHistoryEntry] {
        guard let data = FileManager.default.contents(atPath: historyFile) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(RunHistoryEntry.self, from: $0) }
    }

    /// Opens (truncating) the log file of a run.
    public func openLog(runID: String) throws(LauncherError) -> RunLog {
        let path = logFile(runID: runID)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LauncherError(.store, "cannot open \(path): \(errnoMessage())") }
        return RunLog(path: path, descriptor: fd)
    }

    /// A period's metrics: `nil` when not checked yet, an error when unreadable.
    public func metrics(period: Int) -> Result<MetricsRecord, StoreError>? {
        do {
            return try store.readMetrics(period).map { .success($0) }
        } catch {
            return .failure(error)
        }
    }
}

/// One run's log file. Lines from stdout and stderr may arrive concurrently.
public final class RunLog: Sendable {
    public let path: String
    private let descriptor: Mutex<Int32>

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Appends `bytes`; a failing disk does not stop the run (the error is dropped).
    public func write(_ bytes: some Collection<UInt8>) {
        let data = Array(bytes)
        descriptor.withLock { fd in
            if fd >= 0 { _ = writeAll(fd, data) }
        }
    }

    /// Fsyncs and closes the file. Further writes are ignored.
    public func close() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = fsync(fd)
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
