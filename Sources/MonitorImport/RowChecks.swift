import MonitorData
import Platform

/// Reading and checking input rows, and writing prediction rows.
enum RowChecks {
    /// Checks that the current row has a prediction. Scores are left to the
    /// jobs' reader when each period file is read back (``JobsCheck``).
    static func checkPrediction(_ csv: CSVReader, _ columns: ColumnIndices) throws(ImportError) {
        if csv.field(columns.prediction!).count == 0 {
            throw ImportError(file: csv.path, line: csv.line, "empty prediction")
        }
    }

    static func checkID(_ csv: CSVReader, _ column: Int) throws(ImportError) -> UnsafeRawBufferPointer {
        let id = csv.field(column)
        if id.count == 0 { throw ImportError(file: csv.path, line: csv.line, "empty id") }
        return id
    }

    /// Writes `id[,timestamp],prediction[,score]` for the current row.
    static func writePrediction(
        _ writer: GzipWriter, csv: CSVReader, columns: ColumnIndices, generatedID: Int
    ) throws(ImportError) {
        if let id = columns.id {
            try writer.writeCSVField(csv.field(id))
        } else {
            try writer.write("row-\(generatedID)")
        }
        if let timestamp = columns.timestamp {
            try writer.write(byte: UInt8(ascii: ","))
            try writer.writeCSVField(csv.field(timestamp))
        }
        try writer.write(byte: UInt8(ascii: ","))
        try writer.writeCSVField(csv.field(columns.prediction!))
        if let score = columns.score {
            try writer.write(byte: UInt8(ascii: ","))
            try writer.writeCSVField(csv.field(score))
        }
        try writer.write(byte: 10)
    }

    /// Opens an input CSV, plain or gzip'd; a pipe is read as plain CSV
    /// (telling gzip apart would read its first bytes and open it again).
    static func open(_ path: String) throws(ImportError) -> CSVReader {
        let regular = isRegularFile(path)
        do {
            return try CSVReader(path: path, compression: regular ? .detect : .none)
        } catch {
            guard !regular, error.kind == .csv else { throw ImportError(error) }
            throw ImportError(
                file: path, line: error.line,
                error.message + " (a pipe is read as plain CSV: decompress gzip'd input first, e.g. zcat FILE.gz | …)")
        }
    }

    static func next(_ csv: CSVReader) throws(ImportError) -> Bool {
        do {
            return try csv.next()
        } catch {
            throw ImportError(error)
        }
    }

    /// The data rows of `path`, for the count split's first pass.
    static func countRows(_ path: String) throws(ImportError) -> Int {
        guard isRegularFile(path) else {
            throw ImportError(
                file: path,
                "--periods reads the input twice (it counts the rows first), and this input is not a regular file"
                    + " (a pipe?): save it to a file, or split with --rows-per-period, --window or --period-column")
        }
        let csv = try open(path)
        var count = 0
        while try next(csv) { count += 1 }
        return count
    }
}
