import FuzzSupport
import MonitorData
import Platform

/// Fuzzes the CSV reader and the typed readers on arbitrary decompressed
/// bytes (wrapped in a stored-block gzip file, so every byte reaches the
/// parser). The first byte picks the reader and the record size limit. Every
/// field of every record is read, so AddressSanitizer sees any slice that
/// points outside the buffer; every record must have the header's field count.
@main
enum CSVFuzzer {
    static func main() {
        FuzzHarness.run { bytes in
            guard let control = bytes.first else { return }
            let content = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
            let gzip = FuzzHarness.storedGzip(content)
            let path = gzip.withUnsafeBytes { FuzzHarness.temporaryFile($0, suffix: ".csv.gz") }
            defer { unlink(path) }
            let limits = [1, 8, 64, 4096, CSVReader.defaultMaxRecordBytes]
            let limit = limits[Int(control >> 4) % limits.count]
            do throws(DataError) {
                switch control & 0x03 {
                case 0, 3:
                    let reader = try CSVReader(path: path, maxRecordBytes: limit)
                    let columns = reader.header.count
                    precondition(columns >= 1)
                    var records = 0
                    while try reader.next() {
                        precondition(reader.fieldCount == columns, "field count differs from the header's")
                        var sum = 0
                        for index in 0..<reader.fieldCount {
                            let field = reader.field(index)
                            precondition(field.count <= limit + 2)
                            for byte in field { sum &+= Int(byte) }
                        }
                        precondition(reader.line > 0)
                        records += 1
                        if records > 1_000_000 { break }
                        _ = sum
                    }
                case 1:
                    let reader = try PredictionReader(path: path)
                    while try reader.next() {
                        precondition(reader.id.count > 0 && reader.prediction.count > 0)
                        if reader.hasScore { precondition(reader.score >= 0 && reader.score <= 1) }
                        _ = reader.timestamp.reduce(0, &+)
                    }
                default:
                    let reader = try LabelReader(path: path)
                    while try reader.next() {
                        precondition(reader.id.count > 0)
                        _ = reader.label.reduce(0, &+)
                    }
                }
            } catch {
                precondition(error.file == path && !error.message.isEmpty)
            }
        }
    }
}
