import Foundation
import MonitorData

/// `cml-local import --append`: adds the periods of a new import after those
/// of an existing data set.
///
/// The new periods are imported into a staging folder inside the data set
/// first and the new metadata built and checked as the jobs read it; only then
/// are their files renamed into `predictions/` and `labels/` under the next
/// period numbers, and `metadata.json.gz` is rewritten last, atomically,
/// with the larger `num_periods`: a job reading the data set meanwhile sees
/// the old periods or all of them. The earlier periods' entries are kept as
/// they are; a rewrite that would change one is refused.
public enum Appender {
    /// Appends what `options` imports to the data set at `options.outputDirectory`
    /// (its name and positive label are the data set's; no reference is computed).
    ///
    /// - Returns: the import's summary and the number of the first new period.
    /// - Throws: ``ImportError``: no data set there, an input the import refuses,
    ///   a period file already in place, or a metadata the jobs would refuse.
    public static func run(_ options: ImportOptions) throws(ImportError) -> (summary: ImportSummary, first: Int) {
        try run(options, metadataLimit: DataSet.maxMetadataBytes)
    }

    /// ``run(_:)`` with the metadata size limit given (tests use a small one).
    static func run(_ options: ImportOptions, metadataLimit: Int) throws(ImportError) -> (summary: ImportSummary, first: Int) {
        let directory = options.outputDirectory
        let metadataPath = DataSet.metadataPath(directory: directory)
        guard FileManager.default.fileExists(atPath: metadataPath) else {
            throw ImportError(file: directory, "has no metadata.json.gz: --append adds periods to an existing data set")
        }
        let (old, oldObject) = try read(metadataPath)
        let first = old.numPeriods
        var staged = options
        staged.outputDirectory = "\(directory)/.append-\(getpid())"
        staged.name = old.name
        staged.positiveLabel = old.positiveLabel
        staged.referenceRows = nil
        defer { try? FileManager.default.removeItem(atPath: staged.outputDirectory) }
        let summary = try Importer.run(staged)
        let (_, stagedObject) = try read(DataSet.metadataPath(directory: staged.outputDirectory))

        var entries = oldObject["periods"] as? [Any] ?? []
        var moves: [(from: String, to: String)] = []
        for (offset, item) in ((stagedObject["periods"] as? [Any]) ?? []).enumerated() {
            guard var entry = item as? [String: Any] else { continue }
            let period = first + offset
            entry["period"] = period
            for folder in ["predictions", "labels"] {
                let relative = PeriodFiles.relativePath(folder, period)
                let target = "\(directory)/\(relative)"
                guard !FileManager.default.fileExists(atPath: target) else {
                    throw ImportError(file: target, "already exists: the data set has files beyond its num_periods (\(first)); remove them first")
                }
                moves.append(("\(staged.outputDirectory)/\(PeriodFiles.relativePath(folder, offset))", target))
                entry[folder] = relative
            }
            entries.append(entry)
        }
        var object = oldObject
        object["periods"] = entries
        object["num_periods"] = entries.count
        let json: [UInt8]
        do {
            json = Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw ImportError(file: metadataPath, "cannot encode the metadata: \(error)")
        }
        try JobsCheck.metadata(json, directory: directory, limit: metadataLimit)
        let new = try decode(json, metadataPath)
        guard Array(new.periods.prefix(first)) == old.periods else {
            throw ImportError(file: metadataPath, "appending would change the entries of periods 0-\(first - 1); nothing rewritten")
        }
        try move(moves)
        do {
            let writer = try GzipWriter(path: metadataPath)
            try writer.write(String(decoding: json, as: UTF8.self) + "\n")
            try writer.finish()
        } catch {
            throw ImportError(file: error.file, error.message + moveBack(moves[...]))
        }
        return (summary, first)
    }

    /// Renames each file of `moves` into place; when one fails, those moved
    /// before it are moved back first.
    private static func move(_ moves: [(from: String, to: String)]) throws(ImportError) {
        for (index, (from, to)) in moves.enumerated() {
            do {
                try FileManager.default.createDirectory(
                    atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.moveItem(atPath: from, toPath: to)
            } catch {
                throw ImportError(file: to, "cannot move the new period file into place: \(error)" + moveBack(moves[..<index]))
            }
        }
    }

    /// Moves `moved` back where they came from (best effort), for the error
    /// message: "nothing rewritten", or the files left to remove.
    private static func moveBack(_ moved: ArraySlice<(from: String, to: String)>) -> String {
        var left: [String] = []
        for (from, to) in moved.reversed() where (try? FileManager.default.moveItem(atPath: to, toPath: from)) == nil {
            left.append(to)
        }
        guard !left.isEmpty else { return "; nothing rewritten" }
        return "; \(left.count) new period file(s) could not be moved back, remove them: \(left.joined(separator: ", "))"
    }

    private static func read(_ path: String) throws(ImportError) -> (Metadata, [String: Any]) {
        let bytes: [UInt8]
        do { bytes = try GzipReader.readAll(path: path) } catch { throw ImportError(file: path, error.description) }
        let metadata = try decode(bytes, path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ImportError(file: path, "is not a JSON object")
        }
        return (metadata, object)
    }

    private static func decode(_ json: [UInt8], _ path: String) throws(ImportError) -> Metadata {
        do { return try Metadata.decode(json: json, file: path) } catch { throw ImportError(file: path, error.description) }
    }
}
