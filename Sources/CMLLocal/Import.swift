import ArgumentParser
import Foundation
import MonitorImport
import Platform

extension CMLLocal {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turns logged predictions and labels (CSV, plain or gzip'd) into a data set (see docs/data-format.md).",
            discussion: """
                Input: one file with prediction and label columns (--input), or a predictions file and a labels \
                file joined by id (--predictions, --labels). Split into periods with exactly one of --periods, \
                --rows-per-period, --window or --period-column. A window split needs the rows in time order; \
                empty windows become empty periods. Streams: memory does not grow with the rows (two files: \
                the prediction ids are held for the join).
                Example (the Python jobs' layout): cml-local import --input old.csv \
                --prediction-column known_prediction --score-column probability_class_1 \
                --label-column artificial_ground_truth --period-column period --out data/migrated --name migrated
                """
        )

        @Option(help: "One CSV with prediction and label columns.")
        var input: String?
        @Option(help: "A predictions CSV (with --labels).")
        var predictions: String?
        @Option(help: "A labels CSV joined to --predictions by id.")
        var labels: String?

        @Option(help: "The id column (default: id if present; else ids row-<n> are generated).")
        var idColumn: String?
        @Option(help: "The RFC 3339 timestamp column (default: timestamp if present).")
        var timestampColumn: String?
        @Option(help: "The predicted class column (default: prediction).")
        var predictionColumn: String?
        @Option(help: "The score column, probability of the positive class (default: score if present).")
        var scoreColumn: String?
        @Option(help: "The true label column (default: label); an empty cell means no label yet.")
        var labelColumn: String?
        @Option(
            help: """
                Split by the values of this existing period column: integers v become period v - min \
                (1, 01 and 1.0 are one value); other numbers in numeric order; else text order.
                """)
        var periodColumn: String?

        @Option(help: "Split into N periods of equal row counts (reads the input twice: not from a pipe).")
        var periods: Int?
        @Option(help: "Split into periods of N rows.")
        var rowsPerPeriod: Int?
        @Option(help: "Split into time windows, e.g. 30m, 1h, 1d, 7d (rows in time order).")
        var window: String?

        @Option(help: "Write the first N labeled rows as the reference set (reference/, left out of the periods); their accuracy is reference.accuracy.")
        var referenceRows: Int?
        @Option(
            name: .customLong("label-map"),
            help: ArgumentHelp("Rewrite label values as they are imported, e.g. 1.0=1,0.0=0 or True=1,False=0.", valueName: "FROM=TO,…")
        )
        var labelMap: String?
        @Option(help: "The data set's name (default: the output folder's name).")
        var name: String?
        @Option(help: "The output data set folder (new or empty; with --append, an existing data set).")
        var out: String
        @Flag(
            help: """
                Add the input's periods after those of the data set in --out (new period files first, \
                metadata.json.gz rewritten last with the larger num_periods); its name and positive label are kept.
                """)
        var append = false
        @Option(help: "The positive class.")
        var positiveLabel: String = "1"

        func validate() throws {
            switch (input, predictions, labels) {
            case (.some, nil, nil), (nil, .some, .some): break
            default: throw ValidationError("give either --input FILE, or --predictions FILE and --labels FILE")
            }
            let splits = [periods != nil, rowsPerPeriod != nil, window != nil, periodColumn != nil].filter { $0 }.count
            guard splits == 1 else {
                throw ValidationError("give exactly one of --periods, --rows-per-period, --window, --period-column")
            }
            if let periods, periods < 1 { throw ValidationError("--periods must be at least 1") }
            if let rowsPerPeriod, rowsPerPeriod < 1 { throw ValidationError("--rows-per-period must be at least 1") }
            if let window, ImportOptions.windowSeconds(window) == nil {
                throw ValidationError("--window takes a count and a unit s, m, h, d or w, e.g. 1d or 30m; got '\(window)'")
            }
            if let referenceRows, referenceRows < 1 { throw ValidationError("--reference-rows must be at least 1") }
            if positiveLabel.isEmpty { throw ValidationError("--positive-label must not be empty") }
            if append, name != nil || referenceRows != nil {
                throw ValidationError("--append keeps the data set's name and reference: --name and --reference-rows do not apply")
            }
        }

        func run() throws {
            let split: ImportOptions.Split =
                if let periods { .count(periods) }
                else if let rowsPerPeriod { .size(rowsPerPeriod) }
                else if let window { .window(seconds: ImportOptions.windowSeconds(window)!) }
                else { .column }
            let source: ImportOptions.Input =
                if let input { .combined(input) } else { .separate(predictions: predictions!, labels: labels!) }
            let folder = URL(fileURLWithPath: out).standardizedFileURL.lastPathComponent
            var options = ImportOptions(
                input: source, split: split,
                columns: .init(
                    id: idColumn, timestamp: timestampColumn, prediction: predictionColumn, score: scoreColumn,
                    label: labelColumn, period: periodColumn),
                outputDirectory: out, name: name ?? folder, positiveLabel: positiveLabel, referenceRows: referenceRows)
            if let labelMap {
                do { options.labelMap = try LabelMap(parsing: labelMap) } catch {
                    printError("ERROR: \(error.description)")
                    throw ExitCode.failure
                }
            }
            options.compressionLevel = 6
            let clock = ContinuousClock()
            let started = clock.now
            let summary: ImportSummary
            var appendedAt: Int?
            do {
                if append {
                    let appended = try Appender.run(options)
                    (summary, appendedAt) = (appended.summary, appended.first)
                } else {
                    summary = try Importer.run(options)
                }
            } catch {
                printError("ERROR: \(error.description)")
                throw ExitCode.failure
            }
            let seconds = (clock.now - started).components
            let elapsed = Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18
            print(
                "Imported \(summary.rows) prediction rows (\(summary.labeled) labeled) into \(summary.periods) "
                    + "period\(summary.periods == 1 ? "" : "s") in \(out) in \(fixed(elapsed, decimals: 2)) s")
            if let mapping = Self.periodMapping(summary.periodValues) { print("Period values → periods: \(mapping)") }
            let empty = summary.emptyPeriods.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            if !empty.isEmpty { print("Empty periods: \(empty.joined(separator: ", "))") }
            if summary.labelsWithoutPrediction > 0 {
                print("Labels without a prediction (dropped): \(summary.labelsWithoutPrediction)")
            }
            if let reference = summary.referenceAccuracy {
                print("Reference: reference/*.csv.gz, accuracy \(fixed(reference * 100, decimals: 2))% (first \(summary.referenceRows) labeled rows, left out of the periods)")
            } else if referenceRows != nil {
                print("Reference: no labeled row, none written")
            }
            for warning in summary.warnings { print("⚠ \(warning)") }
            if let appendedAt {
                print(
                    "Appended as periods \(appendedAt)-\(appendedAt + summary.periods - 1); num_periods is now "
                        + "\(appendedAt + summary.periods)")
                print("Run the new periods: cml-local run --data \(out) --period next")
            } else {
                print("Run it: cml-local run --data \(out)")
            }
        }

        /// `0.0 → 0, 1 = 01 → 1, …` for a period column split (spellings of one
        /// number joined by `=`); at most 20 periods, then how many more.
        static func periodMapping(_ values: [[String]]) -> String? {
            let entries = values.enumerated().filter { !$0.element.isEmpty }
            guard !entries.isEmpty else { return nil }
            let shown = entries.prefix(20).map { "\($0.element.joined(separator: " = ")) → \($0.offset)" }
            let more = entries.count - shown.count
            return shown.joined(separator: ", ") + (more > 0 ? ", … (\(more) more; see source_period in metadata.json.gz)" : "")
        }
    }
}
