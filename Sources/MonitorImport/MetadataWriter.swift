import Foundation

/// Writes `metadata.json.gz`, last.
enum MetadataWriter {
    struct File: Encodable {
        struct Period: Encodable {
            var period: Int
            var start: String?
            var end: String?
            var predictions: String
            var labels: String
            var rows: Int
            var sourcePeriod: String?

            enum CodingKeys: String, CodingKey {
                case period, start, end, predictions, labels, rows
                case sourcePeriod = "source_period"
            }
        }
        var formatVersion = 1
        var name: String
        var numPeriods: Int
        var positiveLabel: String
        var periods: [Period]
        var reference: [String: Double]?

        enum CodingKeys: String, CodingKey {
            case name, periods, reference
            case formatVersion = "format_version"
            case numPeriods = "num_periods"
            case positiveLabel = "positive_label"
        }
    }

    static func write(options: ImportOptions, periods: [WrittenPeriod], reference: ReferenceCounter) throws(ImportError) {
        let file = File(
            name: options.name, numPeriods: periods.count, positiveLabel: options.positiveLabel,
            periods: periods.enumerated().map { period, entry in
                File.Period(
                    period: period, start: entry.window.map { RFC3339.format($0.start) },
                    end: entry.window.map { RFC3339.format($0.end) },
                    predictions: PeriodFiles.relativePath("predictions", period),
                    labels: PeriodFiles.relativePath("labels", period), rows: entry.rows,
                    sourcePeriod: entry.values.first)
            },
            reference: reference.accuracy.map { ["accuracy": $0] })
        let path = options.outputDirectory + "/metadata.json.gz"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(file)
        } catch {
            throw ImportError(file: path, "cannot encode the metadata: \(error)")
        }
        let writer = try GzipWriter(path: path)
        try writer.write(String(decoding: data, as: UTF8.self) + "\n")
        try writer.finish()
    }
}
