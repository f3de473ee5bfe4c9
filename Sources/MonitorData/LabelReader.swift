/// Reads a period's labels file (`id`, `label`; an empty label means "no label yet").
///
/// Columns are found by name in any order; other columns are ignored. `id`
/// must be non-empty; `id` and `label` must be valid UTF-8 and are taken
/// verbatim. Duplicate ids are not detected here (the jobs do that).
public final class LabelReader {
    private let csv: CSVReader
    private let idColumn: Int
    private let labelColumn: Int
    private var currentID = UnsafeRawBufferPointer(start: nil, count: 0)
    private var currentLabel = UnsafeRawBufferPointer(start: nil, count: 0)

    /// The path as given.
    public var path: String { csv.path }

    /// Opens the gzip-compressed labels CSV at `path` and checks its columns.
    ///
    /// - Throws: ``DataError``: the errors of ``CSVReader/init(path:maxRecordBytes:)``,
    ///   and `.schema` naming a missing required column (`id`, `label`).
    public init(path: String) throws(DataError) {
        let csv = try CSVReader(path: path)
        self.idColumn = try csv.requiredColumn("id")
        self.labelColumn = try csv.requiredColumn("label")
        self.csv = csv
    }

    /// Advances to the next row; `false` at the end of the file.
    ///
    /// - Throws: ``DataError`` of kind `.invalidValue` (with the line), `.csv` or a gzip error.
    public func next() throws(DataError) -> Bool {
        guard try csv.next() else { return false }
        currentID = try csv.textField(idColumn, name: "id", required: true)
        currentLabel = try csv.textField(labelColumn, name: "label", required: false)
        return true
    }

    /// 1-based line on which the current row starts.
    public var line: Int { csv.line }

    /// The current row's id. Valid until ``next()``.
    public var id: UnsafeRawBufferPointer { currentID }

    /// The current row's label; empty when the label has not arrived. Valid until ``next()``.
    public var label: UnsafeRawBufferPointer { currentLabel }
}
