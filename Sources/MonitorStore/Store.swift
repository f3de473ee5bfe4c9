import FoundationEssentials
import Platform

/// The files the jobs hand to each other, under one root directory:
///
/// ```
/// ROOT/periods/NNNN/predictions.bin   get-predictions
/// ROOT/periods/NNNN/summary.json      get-predictions (with the estimate and score drift)
/// ROOT/periods/NNNN/joined.bin        load-ground-truth
/// ROOT/periods/NNNN/coverage.json     load-ground-truth
/// ROOT/periods/NNNN/metrics.json      check-model (external contract)
/// ROOT/reference/reference.bin       the first job that needs it (see StoredReference)
/// ROOT/.lock                          held by the pipeline using the store
/// ```
///
/// Other entries under ROOT belong to the tools that made them (the launcher's history, a report).
///
/// Every write is atomic; writing a period's predictions removes that period's
/// later outputs, so the store never pairs new inputs with old results.
public struct Store: Sendable {
    /// The store's root directory.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// `state/<name>`, the default store of a data set, with unsafe characters replaced.
    public static func defaultRoot(dataSetName name: String) -> String {
        let safe = String(
            name.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": Character(scalar)
                default: "_"
                }
            }
        )
        return "state/" + (safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "default" : safe)
    }

    /// `ROOT/periods/NNNN`, zero-padded to at least four digits.
    public func periodDirectory(_ period: Int) -> String {
        let digits = String(period)
        return "\(root)/periods/\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }

    public func predictionsPath(_ period: Int) -> String { "\(periodDirectory(period))/predictions.bin" }
    public func summaryPath(_ period: Int) -> String { "\(periodDirectory(period))/summary.json" }
    public func joinedPath(_ period: Int) -> String { "\(periodDirectory(period))/joined.bin" }
    public func coveragePath(_ period: Int) -> String { "\(periodDirectory(period))/coverage.json" }
    public func metricsPath(_ period: Int) -> String { "\(periodDirectory(period))/metrics.json" }
    var lockPath: String { "\(root)/.lock" }

    /// The periods that have a directory under `ROOT/periods`, sorted.
    public func periodsOnDisk() -> [Int] {
        guard let directory = opendir("\(root)/periods") else { return [] }
        defer { closedir(directory) }
        var periods: [Int] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let period = Int(name), period >= 0 { periods.append(period) }
        }
        return periods.sorted()
    }

    // MARK: get-predictions

    /// Stores a period's predictions and summary, and drops the period's older
    /// joined records and metrics, which no longer match.
    ///
    /// The older outputs go first: a run killed (or failing) half-way leaves
    /// new predictions without later outputs, never beside stale ones.
    public func writePredictions(_ predictions: StoredPredictions, summary: PredictionSummary, period: Int) throws(StoreError) {
        try writePredictions(predictions, period: period) { summary }
    }

    /// ``writePredictions(_:summary:period:)`` with the summary made once the
    /// predictions are written (work on it can go on meanwhile).
    public func writePredictions(
        _ predictions: StoredPredictions, period: Int, summary: () -> PredictionSummary
    ) throws(StoreError) {
        try FileSystem.remove(metricsPath(period))
        try FileSystem.remove(coveragePath(period))
        try FileSystem.remove(joinedPath(period))
        try FileSystem.remove(summaryPath(period))
        try FileSystem.writeAtomically(to: predictionsPath(period)) { (file: inout FileWriter) throws(StoreError) in
            try predictions.encode(into: &file)
        }
        try writeJSON(summary(), to: summaryPath(period))
    }

    public func readPredictions(_ period: Int) throws(StoreError) -> StoredPredictions {
        let path = predictionsPath(period)
        return try readOutput(path, StoredPredictions.magic, of: "get-predictions", period: period) { (reader) throws(StoreError) in
            try StoredPredictions(decoding: &reader)
        }
    }

    /// The ids of a period's stored predictions (their predictions and scores skipped).
    public func readPredictionIDs(_ period: Int) throws(StoreError) -> PredictionIDs {
        let path = predictionsPath(period)
        return try readOutput(path, StoredPredictions.magic, of: "get-predictions", period: period) { (reader) throws(StoreError) in
            try PredictionIDs(decoding: &reader)
        }
    }

    public func readSummary(_ period: Int) throws(StoreError) -> PredictionSummary {
        try readJSON(PredictionSummary.self, from: summaryPath(period))
    }

    // MARK: load-ground-truth

    /// Stores a period's joined records and coverage, and drops its older
    /// metrics — first, so that a half-done run never leaves them beside new records.
    public func writeJoined(_ joined: JoinedLabels, coverage: Coverage, period: Int) throws(StoreError) {
        try FileSystem.remove(metricsPath(period))
        try FileSystem.remove(coveragePath(period))
        try FileSystem.writeAtomically(to: joinedPath(period)) { (file: inout FileWriter) throws(StoreError) in
            try joined.encode(into: &file)
        }
        try writeJSON(coverage, to: coveragePath(period))
    }

    /// A period's joined records: the labels in `joined.bin` with the
    /// predictions and scores of `predictions.bin`.
    public func readJoined(_ period: Int) throws(StoreError) -> JoinedRecords {
        let joined = try readOutput(joinedPath(period), JoinedLabels.magic, of: "load-ground-truth", period: period) {
            (reader) throws(StoreError) in try JoinedLabels(decoding: &reader)
        }
        return try records(joining: joined, period: period)
    }

    /// `joined` (stored or not) with the predictions and scores of the period's `predictions.bin`.
    public func records(joining joined: JoinedLabels, period: Int) throws(StoreError) -> JoinedRecords {
        let path = joinedPath(period)
        let (idsDigest, classNames, labels) = (joined.idsDigest, joined.classNames, joined.labels)
        let rows = try readOutput(predictionsPath(period), StoredPredictions.magic, of: "get-predictions", period: period) {
            (reader) throws(StoreError) in try StoredPredictions.decodeRows(&reader)
        }
        // Labels joined to other ids (get-predictions ran again on changed data since) do not fit.
        guard idsDigest == rows.idsDigest, labels.count == rows.predictions.count, classNames.starts(with: rows.classNames)
        else {
            throw StoreError(
                .corrupt, path: path,
                "was joined to other predictions than the period's predictions.bin (re-run load-ground-truth for period \(period))")
        }
        return JoinedRecords(
            classNames: classNames, predictions: rows.predictions, labels: labels, scores: rows.scores,
            idsDigest: idsDigest
        )
    }

    public func readCoverage(_ period: Int) throws(StoreError) -> Coverage {
        try readJSON(Coverage.self, from: coveragePath(period))
    }

    // MARK: check-model

    public func writeMetrics(_ metrics: MetricsRecord) throws(StoreError) {
        try writeJSON(metrics, to: metricsPath(metrics.period))
    }

    /// A period's metrics, or `nil` when that period has not been checked.
    public func readMetrics(_ period: Int) throws(StoreError) -> MetricsRecord? {
        let path = metricsPath(period)
        guard FileSystem.exists(path) else { return nil }
        return try readJSON(MetricsRecord.self, from: path)
    }

    // MARK: JSON

    /// Decodes the binary file a job wrote, reading it straight from disk.
    private func readOutput<T>(
        _ path: String, _ magic: String, of job: String, period: Int, _ decode: (inout BinaryReader) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                throw StoreError(.missing, path: path, "does not exist: run \(job) for period \(period) first")
            }
            throw FileSystem.ioError(path, "cannot open")
        }
        defer { close(fd) }
        var reader = try BinaryReader(fd: fd, magic: magic, path: path)
        return try decode(&reader)
    }

    @discardableResult
    func writeJSON(
        _ value: some Encodable, to path: String, durable: Bool = true, exclusive: Bool = false
    ) throws(StoreError) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw StoreError(.io, path: path, "cannot encode: \(error)")
        }
        let bytes = Array(data) + [UInt8(ascii: "\n")]
        return try FileSystem.writeAtomically(to: path, durable: durable, exclusive: exclusive) {
            (file: inout FileWriter) throws(StoreError) in
            let result: Result<Void, StoreError> = bytes.withUnsafeBytes { buffer in
                Result { () throws(StoreError) in try file.write(buffer) }
            }
            try result.get()
        }
    }

    func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws(StoreError) -> T {
        let bytes = try FileSystem.read(path, limit: 64 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw StoreError(.corrupt, path: path, "cannot be read: \(error)")
        }
    }
}
