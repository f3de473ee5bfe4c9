import Foundation
import MonitorStore

/// Everything a report shows: each period's outputs, read from a store, and the launcher's run history.
public struct ReportData: Sendable {
    /// One period's files; each `nil` when missing (not run yet) or unreadable.
    public struct Period: Sendable {
        public var period: Int
        public var metrics: MetricsRecord?
        public var summary: PredictionSummary?
        public var coverage: Coverage?
        /// Why a file that exists could not be read.
        public var problems: [String]
    }

    /// One line of `runs.jsonl` (the fields the report shows).
    public struct Run: Decodable, Sendable, Equatable {
        public var sequence: Int
        public var session: String
        public var job: String
        public var arguments: String
        public var status: String
        public var exitCode: Int32?
        public var durationSeconds: Double
        public var reason: String?
        public var createdAt: String?

        enum CodingKeys: String, CodingKey {
            case sequence, session, job, arguments, status, reason
            case exitCode = "exit_code"
            case durationSeconds = "duration_seconds"
            case createdAt = "created_at"
        }
    }

    /// The data set's name, or the store folder's name.
    public var name: String
    public var storeDirectory: String
    /// Periods `0 ..< T`, `T` from the stored files' `total_periods`.
    public var periods: [Period]
    /// The run history, summarised.
    public var history: RunHistory

    /// Reads `store` and the run history file `runHistory` (the launcher's
    /// `runs.jsonl`; `nil` for none). Missing files are gaps, never errors.
    public init(store: Store, runHistory: String?, name: String? = nil) {
        self.storeDirectory = store.root
        self.name = name ?? (store.root.split(separator: "/").last.map(String.init) ?? store.root)
        var loaded: [Int: Period] = [:]
        var total = 0
        for index in store.periodsOnDisk() {
            var period = Period(period: index, problems: [])
            func read<T>(_ what: String, _ body: () throws -> T?) -> T? {
                do { return try body() } catch let error as StoreError where error.kind == .missing {
                    return nil
                } catch {
                    period.problems.append("\(what): \(error)")
                    return nil
                }
            }
            period.metrics = read("metrics.json") { try store.readMetrics(index) }
            period.summary = read("summary.json") {
                FileManager.default.fileExists(atPath: store.summaryPath(index)) ? try store.readSummary(index) : nil
            }
            period.coverage = read("coverage.json") {
                FileManager.default.fileExists(atPath: store.coveragePath(index)) ? try store.readCoverage(index) : nil
            }
            total = max(
                total, index + 1, period.metrics?.totalPeriods ?? 0, period.summary?.totalPeriods ?? 0,
                period.coverage?.totalPeriods ?? 0)
            loaded[index] = period
        }
        self.periods = (0..<total).map { loaded[$0] ?? Period(period: $0, problems: []) }
        self.history = runHistory.map { RunHistory(path: $0) } ?? RunHistory()
    }

    /// The baseline accuracy the checks used (the latest one recorded).
    var baseline: (accuracy: Double, source: String?)? {
        for period in periods.reversed() {
            if let metrics = period.metrics, let accuracy = metrics.baselineAccuracy {
                return (accuracy, metrics.baselineSource)
            }
        }
        return nil
    }

    /// The policy's minimum accuracy, when a check recorded one.
    var minAccuracy: Double? { periods.reversed().lazy.compactMap { $0.metrics?.minAccuracy }.first }

    /// The PSI threshold for score drift, when a check recorded one.
    var maxPSI: Double? { periods.reversed().lazy.compactMap { $0.metrics?.maxPSI }.first }

    /// A period's estimate: from its check, else from `get-predictions`' summary (not checked yet).
    static func estimated(_ period: Period) -> EstimatedMetrics? {
        period.metrics?.estimated ?? period.summary?.estimate?.estimated
    }

    /// A period's score drift: from its check, else from `get-predictions`' summary.
    static func scoreDrift(_ period: Period) -> ScoreDriftRecord? {
        period.metrics?.scoreDrift ?? period.summary?.estimate?.scoreDrift
    }

    /// The policy's maximum drop, when a check recorded one.
    var maxDrop: Double? { periods.reversed().lazy.compactMap { $0.metrics?.maxDrop }.first }
}
