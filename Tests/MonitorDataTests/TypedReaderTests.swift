import Foundation
import MonitorData
import Testing

struct PredictionRow: Equatable {
    var id: String
    var prediction: String
    var score: Double?
    var timestamp: String
    var line: Int
}

func readPredictions(_ path: String) throws(DataError) -> [PredictionRow] {
    let reader = try PredictionReader(path: path)
    var rows: [PredictionRow] = []
    while try reader.next() {
        rows.append(
            PredictionRow(
                id: reader.id.string, prediction: reader.prediction.string,
                score: reader.hasScore ? reader.score : nil, timestamp: reader.timestamp.string, line: reader.line))
    }
    return rows
}

@Suite("PredictionReader and LabelReader")
struct TypedReaderTests {
    @Test("columns by name in any order, extra columns ignored")
    func columnOrder() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip(
            "p.csv.gz",
            "extra,score,prediction,timestamp,id\nq,0.25,1,2024-01-01T00:00:00Z,a\n,1,0,,\"b,2\"\n")
        let reader = try PredictionReader(path: path)
        #expect(reader.hasScore)
        #expect(reader.hasTimestamp)
        let rows = try readPredictions(path)
        #expect(rows == [
            PredictionRow(id: "a", prediction: "1", score: 0.25, timestamp: "2024-01-01T00:00:00Z", line: 2),
            PredictionRow(id: "b,2", prediction: "0", score: 1, timestamp: "", line: 3),
        ])
    }

    @Test("no score column: score is NaN")
    func noScore() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", "id,prediction\nx,cat\ny,dog\n")
        let reader = try PredictionReader(path: path)
        #expect(!reader.hasScore)
        #expect(!reader.hasTimestamp)
        #expect(try reader.next())
        #expect(reader.score.isNaN)
        #expect(reader.prediction.string == "cat")
        #expect(reader.timestamp.count == 0)
    }

    /// Scores accepted: decimal numbers in [0, 1]; surrounding spaces and tabs are ignored.
    @Test("valid scores", arguments: [
        ("1", 1.0), ("0", 0.0), ("0.5", 0.5), ("1e-3", 0.001), ("5E-1", 0.5), (".5", 0.5), ("1.", 1.0),
        (" 0.5", 0.5), ("0.5 ", 0.5), ("\t0.25\t", 0.25), ("+0.75", 0.75), ("-0", 0.0), ("0.1234", 0.1234),
        ("1.000000", 1.0), ("0.99999999999999999999", 1.0), ("0.123456789012345678", 0.123456789012345678),
        ("100e-2", 1.0), ("0.0000000000000000000000001", 1e-25), ("1E+0", 1.0), ("000.5", 0.5),
    ])
    func validScore(text: String, value: Double) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", "id,prediction,score\na,1,\"\(text)\"\n")
        let rows = try readPredictions(path)
        #expect(rows.first?.score == value)
    }

    @Test("invalid scores", arguments: [
        "", " ", "abc", "1.5", "-0.1", "nan", "NaN", "inf", "-inf", "0x1p-1", "1e", "e5", ".", "--1", "1 2", "0,5",
        "1e400", "2", "0.5%", "1.0.0", "+", "1e+", "1.1e0",
    ])
    func invalidScore(text: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", "id,prediction,score\na,1,0.5\nb,0,\"\(text)\"\n")
        let error = dataError { _ = try readPredictions(path) }
        #expect(error?.kind == .invalidValue)
        #expect(error?.line == 3)
        #expect(error?.file == path)
        #expect(error?.message.contains(text.isEmpty ? "empty score" : "\"\(text)\"") == true)
    }

    @Test("missing required columns", arguments: [
        ("prediction,score\n1,0.5\n", "id"), ("id,score\na,0.5\n", "prediction"), ("ID,Prediction\na,1\n", "id"),
    ])
    func missingColumn(text: String, column: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", text)
        let error = dataError { _ = try PredictionReader(path: path) }
        #expect(error?.kind == .schema)
        #expect(error?.file == path)
        #expect(error?.message.contains("\"\(column)\"") == true)
    }

    @Test("empty or invalid id and prediction", arguments: [
        ("id,prediction\na,1\n,1\n", "empty id"),
        ("id,prediction\na,1\nb,\n", "empty prediction"),
        ("id,prediction\na,1\n\"\",1\n", "empty id"),
    ])
    func invalidIDOrPrediction(text: String, message: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", text)
        let error = dataError { _ = try readPredictions(path) }
        #expect(error?.kind == .invalidValue)
        #expect(error?.line == 3)
        #expect(error?.message == message)
    }

    @Test("id, prediction and label must be valid UTF-8")
    func invalidUTF8() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let bad: [UInt8] = [0xC3, 0x28]  // invalid continuation
        let overlong: [UInt8] = [0xC0, 0xAF]
        let surrogate: [UInt8] = [0xED, 0xA0, 0x80]
        for sequence in [bad, overlong, surrogate, [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82]] {
            let predictions = try dir.writeGzip(
                "p.csv.gz", Array("id,prediction\nabcdefghij".utf8) + sequence + Array("klm,1\n".utf8))
            let error = dataError { _ = try readPredictions(predictions) }
            #expect(error?.kind == .invalidValue)
            #expect(error?.line == 2)
            #expect(error?.message.contains("UTF-8") == true)
            let prediction = try dir.writeGzip("q.csv.gz", Array("id,prediction\na,".utf8) + sequence + [10])
            #expect(dataError { _ = try readPredictions(prediction) }?.kind == .invalidValue)
            let labels = try dir.writeGzip("l.csv.gz", Array("id,label\na,".utf8) + sequence + [10])
            let labelError = dataError {
                let reader = try LabelReader(path: labels)
                while try reader.next() {}
            }
            #expect(labelError?.kind == .invalidValue)
        }
        // Valid multi-byte UTF-8 passes.
        let good = try dir.writeGzip("g.csv.gz", "id,prediction\nidé-😀-名前-0123456789,clâss\n")
        #expect(try readPredictions(good).first?.id == "idé-😀-名前-0123456789")
    }

    @Test("labels: empty label allowed, empty id rejected, columns by name")
    func labels() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("l.csv.gz", "note,label,id\nx,1,a\ny,,b\nz,\"\",c\n")
        let reader = try LabelReader(path: path)
        var rows: [[String]] = []
        while try reader.next() {
            rows.append([reader.id.string, reader.label.string, String(reader.line)])
        }
        #expect(rows == [["a", "1", "2"], ["b", "", "3"], ["c", "", "4"]])

        let emptyID = try dir.writeGzip("e.csv.gz", "id,label\na,1\n,0\n")
        let error = dataError {
            let reader = try LabelReader(path: emptyID)
            while try reader.next() {}
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.line == 3)

        let missing = try dir.writeGzip("m.csv.gz", "id,truth\na,1\n")
        let schema = dataError { _ = try LabelReader(path: missing) }
        #expect(schema?.kind == .schema)
        #expect(schema?.message.contains("\"label\"") == true)
    }

    @Test("CSV errors pass through the typed readers")
    func csvErrors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.writeGzip("p.csv.gz", "id,prediction\na,1\nb,1,2\n")
        let error = dataError { _ = try readPredictions(path) }
        #expect(error?.kind == .csv)
        #expect(error?.line == 3)
    }
}
