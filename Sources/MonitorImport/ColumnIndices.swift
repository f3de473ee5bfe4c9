import MonitorData

/// The input columns an import uses, as indices into a header.
struct ColumnIndices {
    var id: Int?
    var timestamp: Int?
    var prediction: Int?
    var score: Int?
    var label: Int?
    var period: Int?

    /// Finds the columns in `csv`'s header. A name given by a flag must exist;
    /// a default name is used when present.
    static func resolve(
        _ csv: CSVReader, _ columns: ImportOptions.Columns, split: ImportOptions.Split,
        needPrediction: Bool, needLabel: Bool, needID: Bool
    ) throws(ImportError) -> ColumnIndices {
        func find(_ given: String?, default name: String, flag: String, required: Bool) throws(ImportError) -> Int? {
            if let given {
                guard let index = csv.column(named: given) else {
                    throw ImportError(
                        file: csv.path, line: csv.line,
                        "missing column \"\(given)\" (\(flag)); the header has: \(csv.header.joined(separator: ", "))")
                }
                return index
            }
            let index = csv.column(named: name)
            if index == nil && required {
                throw ImportError(
                    file: csv.path, line: csv.line,
                    "missing column \"\(name)\" (name another with \(flag)); the header has: "
                        + csv.header.joined(separator: ", "))
            }
            return index
        }
        var result = ColumnIndices()
        result.id = try find(columns.id, default: "id", flag: "--id-column", required: needID)
        var needTimestamp = false
        if case .window = split { needTimestamp = true }
        if needPrediction {
            result.timestamp = try find(
                columns.timestamp, default: "timestamp", flag: "--timestamp-column", required: needTimestamp)
            result.prediction = try find(columns.prediction, default: "prediction", flag: "--prediction-column", required: true)
            result.score = try find(columns.score, default: "score", flag: "--score-column", required: false)
            if case .column = split {
                result.period = try find(columns.period, default: "period", flag: "--period-column", required: true)
            }
        }
        if needLabel {
            result.label = try find(columns.label, default: "label", flag: "--label-column", required: true)
        }
        return result
    }
}
