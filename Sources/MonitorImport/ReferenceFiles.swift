/// The reference set's files, `reference/predictions.csv.gz` and
/// `reference/labels.csv.gz`: the first `--reference-rows` labeled rows,
/// written here instead of into their periods.
final class ReferenceFiles {
    static let predictionsPath = "reference/predictions.csv.gz"
    static let labelsPath = "reference/labels.csv.gz"

    let predictions: GzipWriter
    let labels: GzipWriter
    private let directory: String

    init(options: ImportOptions, predictionsHeader: String) throws(ImportError) {
        directory = options.outputDirectory
        predictions = try GzipWriter(path: "\(directory)/\(Self.predictionsPath)", level: options.compressionLevel)
        labels = try GzipWriter(path: "\(directory)/\(Self.labelsPath)", level: options.compressionLevel)
        try predictions.write(predictionsHeader)
        try labels.write("id,label\n")
    }

    /// Finishes both files, checked as the jobs will read them.
    func finish() throws(ImportError) {
        try predictions.finish(movingTo: "\(directory)/\(Self.predictionsPath)", checking: JobsCheck.predictions)
        try labels.finish(movingTo: "\(directory)/\(Self.labelsPath)", checking: JobsCheck.labels)
    }
}
