import MonitorData

/// Reads what the import writes as the jobs will, through MonitorData's own
/// readers and metadata checks: what import writes, the jobs accept.
enum JobsCheck {
    /// Reads a finished predictions file through ``PredictionReader``.
    ///
    /// - Throws: ``ImportError``, with ``ImportError/refused`` set for a row the jobs would refuse.
    static func predictions(_ path: String) throws(ImportError) {
        var records = 0
        do throws(DataError) {
            let reader = try PredictionReader(path: path)
            while try reader.next() { records += 1 }
        } catch {
            throw refusal(error, path: path, record: records + 1, labels: false)
        }
    }

    /// Reads a finished labels file through ``LabelReader``.
    ///
    /// - Throws: ``ImportError``, with ``ImportError/refused`` set for a row the jobs would refuse.
    static func labels(_ path: String) throws(ImportError) {
        var records = 0
        do throws(DataError) {
            let reader = try LabelReader(path: path)
            while try reader.next() { records += 1 }
        } catch {
            throw refusal(error, path: path, record: records + 1, labels: true)
        }
    }

    /// `error`, marked as a refused row (with its id) when it is about a value in one.
    private static func refusal(_ error: DataError, path: String, record: Int, labels: Bool) -> ImportError {
        guard error.kind == .invalidValue, error.line != nil else { return ImportError(error) }
        let id = try? idOfRecord(record, in: path)
        return ImportError(error, refused: .init(id: id, labels: labels))
    }

    /// Decodes the metadata JSON with ``Metadata/decode(json:file:)``, as the jobs do,
    /// and checks that it, with the newline the writers end it with, fits in `limit` bytes.
    static func metadata(_ json: [UInt8], directory: String, limit: Int = DataSet.maxMetadataBytes) throws(ImportError) {
        guard json.count + 1 <= limit else {
            throw ImportError(
                file: DataSet.metadataPath(directory: directory),
                "the metadata would be \(json.count + 1) bytes; the jobs read at most \(limit)")
        }
        do {
            _ = try Metadata.decode(json: json, file: DataSet.metadataPath(directory: directory))
        } catch {
            throw ImportError(file: directory, "the jobs would refuse this metadata: \(error.message)")
        }
    }

    /// `error`, about a row the jobs would refuse, moved to the input row it
    /// came from (found by its id); the id is named when that row cannot be found.
    static func locateInInput(_ error: ImportError, _ options: ImportOptions) -> ImportError {
        guard let refused = error.refused else { return error }
        let input: String
        switch options.input {
        case .combined(let path): input = path
        case .separate(let predictions, let labels): input = refused.labels ? labels : predictions
        }
        guard let id = refused.id else { return ImportError(file: input, error.message) }
        guard let line = try? lineOfID(id, in: input, column: options.columns.id ?? "id") else {
            let shown = id.withUnsafeBytes { DataError.displayText($0) }
            return ImportError(file: input, "\(error.message) (the row with id \"\(shown)\")")
        }
        return ImportError(file: input, line: line, error.message)
    }

    /// The id of data record `record` (1-based) of a file the import wrote.
    private static func idOfRecord(_ record: Int, in path: String) throws(DataError) -> [UInt8]? {
        let csv = try CSVReader(path: path)
        guard let column = csv.column(named: "id") else { return nil }
        for _ in 0..<record {
            guard try csv.next() else { return nil }
        }
        return Array(csv.field(column))
    }

    /// The line of the input row with `id`: in the id column, or the `n`-th
    /// row for a generated id `row-<n>` when the input has no id column.
    private static func lineOfID(_ id: [UInt8], in input: String, column name: String) throws(ImportError) -> Int? {
        let csv = try RowChecks.open(input)
        guard let column = csv.column(named: name) else {
            guard id.starts(with: "row-".utf8), let n = Int(String(decoding: id.dropFirst(4), as: UTF8.self)), n > 0
            else { return nil }
            for _ in 0..<n {
                guard try RowChecks.next(csv) else { return nil }
            }
            return csv.line
        }
        while try RowChecks.next(csv) {
            if csv.field(column).elementsEqual(id) { return csv.line }
        }
        return nil
    }
}
