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
        var reference: Reference?

        /// `reference`: the accuracy of the reference rows and their files.
        struct Reference: Encodable {
            var accuracy: Double?
            var predictions: String?
            var labels: String?
        }

        enum CodingKeys: String, CodingKey {
            case name, periods, reference
            case formatVersion = "format_version"
            case numPeriods = "num_periods"
            case positiveLabel = "positive_label"
        }
    }

    /// The longest name whose default store folder (`state/<name>`, a character
    /// each) is a valid file name: the jobs fail to create a longer one.
    static let maxNameLength = 255

    /// Checks the options that go into the metadata before anything is read or
    /// written: the jobs' metadata rules, and the name's length.
    static func check(_ options: ImportOptions) throws(ImportError) {
        let count = options.name.unicodeScalars.count
        guard count <= maxNameLength else {
            throw ImportError(
                file: options.outputDirectory,
                "the name is \(count) characters long; the jobs' default store folder state/<name> takes at most"
                    + " \(maxNameLength)")
        }
        _ = try encode(options: options, periods: [WrittenPeriod(rows: 0, labeled: 0, values: [])], reference: nil, files: false)
    }

    /// Writes `metadata.json.gz` once every period's files are in place.
    static func write(options: ImportOptions, periods: [WrittenPeriod], reference: ReferenceCounter) throws(ImportError) {
        let json = try encode(options: options, periods: periods, reference: reference.accuracy, files: reference.files != nil)
        let writer = try GzipWriter(path: options.outputDirectory + "/metadata.json.gz")
        try writer.write(String(decoding: json, as: UTF8.self) + "\n")
        try writer.finish()
    }

    /// The metadata JSON, checked as the jobs will read it.
    private static func encode(
        options: ImportOptions, periods: [WrittenPeriod], reference: Double?, files: Bool
    ) throws(ImportError) -> [UInt8] {
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
            reference: reference == nil && !files
                ? nil
                : File.Reference(
                    accuracy: reference, predictions: files ? ReferenceFiles.predictionsPath : nil,
                    labels: files ? ReferenceFiles.labelsPath : nil))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: [UInt8]
        do {
            json = Array(try encoder.encode(file))
        } catch {
            throw ImportError(file: options.outputDirectory, "cannot encode the metadata: \(error)")
        }
        try JobsCheck.metadata(json, directory: options.outputDirectory)
        return json
    }
}
