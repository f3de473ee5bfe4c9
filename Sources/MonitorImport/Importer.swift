import Foundation
import MonitorData

/// Turns logged predictions and labels into a data set (docs/data-format.md), streaming.
///
/// Input: CSV, plain or gzip-compressed (told apart by the magic bytes), read
/// through ``CSVReader``; either one file holding a prediction and a label per
/// row, or a predictions file and a labels file joined by id. Output:
/// `predictions/period_NNNN.csv.gz`, `labels/period_NNNN.csv.gz` and, last,
/// `metadata.json.gz`, each written through ``GzipWriter`` (temporary file,
/// fsync, rename).
///
/// Memory: constant in the rows for one file — each period's files are written
/// as its rows go by; splits by count, size and window keep one period open at
/// a time, a period column keeps one open per distinct value. Two files: the
/// predictions are streamed first and only their ids are held (id → period and
/// predicted class, for the join and the reference), then the labels are
/// streamed into every period's labels file.
public enum Importer {
    /// Runs the import described by `options`.
    ///
    /// - Throws: ``ImportError`` naming the file and, for a bad row, the line:
    ///   a missing column, an empty id or prediction, a bad score, a bad or
    ///   out-of-order timestamp, a duplicate id (two-file input), an output
    ///   folder in use, more than ``ImportOptions/maxPeriods`` periods, and
    ///   whatever the jobs would refuse: a row their readers reject (e.g. a
    ///   hex score, invalid UTF-8), a name or positive label their metadata
    ///   check rejects, a name too long for their default store folder.
    public static func run(_ options: ImportOptions) throws(ImportError) -> ImportSummary {
        try checkSplit(options)
        try MetadataWriter.check(options)
        let out = options.outputDirectory
        let created = try prepareOutput(out, reference: options.referenceRows != nil)
        do {
            switch options.input {
            case .combined(let path):
                return try CombinedImport(options: options, path: path).run()
            case .separate(let predictions, let labels):
                return try SeparateImport(options: options, predictionsPath: predictions, labelsPath: labels).run()
            }
        } catch {
            // A row the jobs would refuse is named at its input line.
            let error = error.refused == nil ? error : JobsCheck.locateInInput(error, options)
            // Leave no half data set behind, so the same command can run again once fixed.
            for folder in created.reversed() { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Refuses a split that cannot be carried out: no rows or periods per
    /// period, or more than ``ImportOptions/maxPeriods`` counted periods.
    private static func checkSplit(_ options: ImportOptions) throws(ImportError) {
        let input =
            switch options.input {
            case .combined(let path), .separate(predictions: let path, labels: _): path
            }
        switch options.split {
        case .count(let n) where n < 1 || n > ImportOptions.maxPeriods:
            throw ImportError(
                file: input, "--periods \(n): at least 1, and not more than \(ImportOptions.maxPeriodsText) periods")
        case .size(let n) where n < 1:
            throw ImportError(file: input, "--rows-per-period \(n): at least 1")
        case .window(let seconds) where seconds < 1:
            throw ImportError(file: input, "--window of \(seconds) seconds: at least 1 second")
        default:
            break
        }
    }

    /// Creates the output folders; returns those it created.
    private static func prepareOutput(_ out: String, reference: Bool) throws(ImportError) -> [String] {
        let manager = FileManager.default
        var created: [String] = []
        var isDirectory: ObjCBool = false
        if !manager.fileExists(atPath: out) { created.append(out) }
        if manager.fileExists(atPath: out, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ImportError(file: out, "exists and is not a directory") }
            let entries = (try? manager.contentsOfDirectory(atPath: out)) ?? []
            guard entries.isEmpty else {
                throw ImportError(file: out, "is not empty: import into a new folder (or remove this one)")
            }
        }
        let folders = [out, out + "/predictions", out + "/labels"] + (reference ? [out + "/reference"] : [])
        for folder in folders {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw ImportError(file: folder, "cannot create the folder: \(error)")
            }
        }
        return created.isEmpty ? Array(folders.dropFirst()) : created
    }
}
