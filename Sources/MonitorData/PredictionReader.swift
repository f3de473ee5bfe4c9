/// Reads a period's predictions file (`id`, `prediction`, optional `score`, `timestamp`).
///
/// Columns are found by name in any order; other columns are ignored. Each
/// row is validated as it is read:
/// - `id` and `prediction` must be non-empty and valid UTF-8; they are taken
///   verbatim (no trimming);
/// - when the file has a `score` column, every row's score must parse as a
///   decimal number (`1`, `0.5`, `.5`, `1e-3`, `5E-1`; surrounding spaces or
///   tabs are allowed and ignored) and lie in [0, 1]; empty, `nan`, `inf` and
///   anything else is an ``DataError/Kind/invalidValue`` error naming the line
///   and the value.
/// - `timestamp` is not parsed here: ``timestamp`` hands out its bytes.
///
/// Duplicate ids are not detected here (the jobs do that).
public final class PredictionReader {
    private let csv: CSVReader
    private let idColumn: Int
    private let predictionColumn: Int
    private let scoreColumn: Int?
    private let timestampColumn: Int?
    private var currentID = UnsafeRawBufferPointer(start: nil, count: 0)
    private var currentPrediction = UnsafeRawBufferPointer(start: nil, count: 0)
    private var currentScore = Double.nan

    /// The path as given.
    public var path: String { csv.path }

    /// Opens the gzip-compressed predictions CSV at `path` and checks its columns.
    ///
    /// - Throws: ``DataError``: the errors of ``CSVReader/init(path:maxRecordBytes:)``,
    ///   and `.schema` naming a missing required column (`id`, `prediction`).
    public init(path: String) throws(DataError) {
        let csv = try CSVReader(path: path)
        self.idColumn = try csv.requiredColumn("id")
        self.predictionColumn = try csv.requiredColumn("prediction")
        self.csv = csv
        self.scoreColumn = csv.column(named: "score")
        self.timestampColumn = csv.column(named: "timestamp")
    }

    /// Whether the file has a `score` column.
    public var hasScore: Bool { scoreColumn != nil }

    /// Whether the file has a `timestamp` column.
    public var hasTimestamp: Bool { timestampColumn != nil }

    /// The header's column names.
    public var header: [String] { csv.header }

    /// Advances to the next row, validated (id and prediction non-empty, score in [0, 1]).
    ///
    /// - Returns: `false` at the end of the file.
    /// - Throws: ``DataError`` of kind `.invalidValue` (with the line), `.csv` or a gzip error.
    public func next() throws(DataError) -> Bool {
        guard try csv.next() else { return false }
        let id = try csv.textField(idColumn, name: "id", required: true)
        let prediction = try csv.textField(predictionColumn, name: "prediction", required: true)
        if let scoreColumn {
            let field = csv.fieldUnchecked(scoreColumn)
            guard let value = FieldParsing.parseDouble(field) else {
                throw DataError(
                    .invalidValue, file: csv.path, line: csv.line,
                    field.count == 0 ? "empty score" : "score \(Self.quoted(field)) is not a number")
            }
            if !(value >= 0 && value <= 1) {
                throw DataError(
                    .invalidValue, file: csv.path, line: csv.line,
                    "score \(Self.quoted(field)) is outside [0, 1]")
            }
            currentScore = value
        }
        currentID = id
        currentPrediction = prediction
        return true
    }

    /// 1-based line on which the current row starts.
    public var line: Int { csv.line }

    /// The current row's id. Valid until ``next()``.
    public var id: UnsafeRawBufferPointer { currentID }

    /// The current row's prediction (a class label). Valid until ``next()``.
    public var prediction: UnsafeRawBufferPointer { currentPrediction }

    /// The row's score; `.nan` when the file has no `score` column.
    public var score: Double { currentScore }

    /// The current row's raw `timestamp` field (empty when the file has none). Valid until ``next()``.
    public var timestamp: UnsafeRawBufferPointer {
        guard let timestampColumn else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return csv.field(timestampColumn)
    }

    /// A field's bytes for an error message: quoted, invalid UTF-8 repaired,
    /// control characters escaped (the message stays one line), cut at 40 bytes.
    static func quoted(_ field: UnsafeRawBufferPointer) -> String {
        "\"" + DataError.displayText(field, limit: 40) + "\""
    }
}
