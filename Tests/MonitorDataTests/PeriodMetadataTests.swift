import Foundation
import MonitorData
import Testing

/// The metadata read for one period: its own entry checked, the other entries only skimmed.
@Suite("Metadata read for one period")
struct PeriodMetadataTests {
    /// The period an example's fault is in (`periods[k]` in its message), or `nil` for a top-level fault.
    static func faultyPeriod(_ example: DataSetTests.Invalid) -> Int? {
        if ["out of order", "absolute path", "parent directory"].contains(example.name) { return 0 }
        guard let range = example.message.range(of: #"periods\[(\d+)\]"#, options: .regularExpression) else { return nil }
        return Int(example.message[range].dropFirst(8).dropLast())
    }

    @Test(
        "a fault in this period's entry or at the top level fails its job, naming the file and the field",
        arguments: DataSetTests.invalid + DataSetTests.wrongTypes)
    func ownFault(_ example: DataSetTests.Invalid) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: example.json)
        let error = dataError { _ = try DataSet(directory: dir.path, scope: .period(Self.faultyPeriod(example) ?? 1)) }
        #expect(error?.kind == .metadata)
        #expect(error?.file == dir.path + "/metadata.json.gz")
        #expect(error?.message.contains(example.message) == true, "\(String(describing: error))")
    }

    /// Faults inside one entry of three (the entry count still matches `num_periods`).
    static let entryFaults = (DataSetTests.invalid + DataSetTests.wrongTypes).filter { example in
        faultyPeriod(example) != nil && example.name != "a period a number"
    }

    @Test("a damaged entry of another period does not fail this period's job, but fails the full check", arguments: entryFaults)
    func otherFault(_ example: DataSetTests.Invalid) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: example.json)
        let faulty = try #require(Self.faultyPeriod(example))
        let other = (faulty + 1) % 3
        let dataSet = try DataSet(directory: dir.path, scope: .period(other))
        #expect(dataSet.metadata.numPeriods == 3)
        #expect(!dataSet.metadata.isComplete)
        #expect(try dataSet.periodInfo(other).predictions == "predictions/period_\(other).csv.gz")
        #expect(try dataSet.predictionsPath(period: other) == dir.path + "/predictions/period_\(other).csv.gz")
        // Entries not read are not handed out as if they were.
        #expect(dataError { _ = try dataSet.periodInfo(faulty) }?.message.contains("was not read") == true)
        #expect(dataSet.periodsDigest(first: 3) == nil)
        #expect(dataError { _ = try DataSet(directory: dir.path) }?.message.contains(example.message) == true)
    }

    @Test("the per-period read gives the same entry and fields as the full one, with any layout of the JSON")
    func sameAsFull() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var object = metadataObject(periods: 4)
        object["reference"] = ["accuracy": 0.9, "predictions": "ref/p.csv.gz", "labels": "ref/l.csv.gz"]
        object["task"] = "binary"
        object["zz_after"] = [["nested": [1, 2.5e-3, -0, true, false, NSNull(), "a\"\\\u{1}b"]]]
        for options: JSONSerialization.WritingOptions in [[.sortedKeys], [.prettyPrinted], []] {
            let json = try JSONSerialization.data(withJSONObject: object, options: options)
            try dir.writeGzip("metadata.json.gz", Array(json))
            let full = try DataSet(directory: dir.path).metadata
            for period in 0..<4 {
                let one = try DataSet(directory: dir.path, scope: .period(period)).metadata
                #expect(one.periods == [full.periods[period]])
                #expect(one.name == full.name && one.numPeriods == full.numPeriods && one.task == full.task)
                #expect(one.reference == full.reference)
                #expect(one.referenceFiles?.predictions == "ref/p.csv.gz")
            }
            // The finished state `4,4` reads no entry.
            #expect(try DataSet(directory: dir.path, scope: .period(4)).metadata.periods.isEmpty)
        }
    }

    @Test("JSON damaged inside another period's entry fails that period and the full check only", arguments: [
        #"{"period": 1,}"#, #"{"period": 01}"#, #"{"a": "\q"}"#, #"{"a": [}}"#, #"{"a": tru}"#,
    ])
    func damagedEntry(_ entry: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: """
            {"format_version": 1, "name": "x", "num_periods": 2,
             "periods": [{"period": 0, "predictions": "p0.csv.gz", "labels": "l0.csv.gz"}, \(entry)]}
            """)
        #expect(try DataSet(directory: dir.path, scope: .period(0)).periodInfo(0).labels == "l0.csv.gz")
        // Period 1's job and the full check both refuse it, with the same message.
        let own = dataError { _ = try DataSet(directory: dir.path, scope: .period(1)) }
        let full = dataError { _ = try DataSet(directory: dir.path) }
        #expect(own?.kind == .metadata && full?.kind == .metadata)
        #expect(own?.message == full?.message)
    }

    @Test("JSON damaged outside the entries fails every period", arguments: [
        #"{"name": "x", "periods": [{"period": 0}, {"period": 1}]} trailing"#,
        #"{"name": "x", "periods": [{"period": 0}, {"period": 1}"#,
        #"{"name": "x", "periods": [{"period": 0} {"period": 1}]}"#,
        #"{"name": x, "periods": [{"period": 0}, {"period": 1}]}"#,
        #"{"name": "x", "periods": [{"period": 0}, {"a": "]}"]}"#,
    ])
    func damagedJSON(_ json: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, json: json)
        let error = dataError { _ = try DataSet(directory: dir.path, scope: .period(0)) }
        #expect(error?.kind == .metadata)
        #expect(error?.message.contains("not valid JSON") == true, "\(String(describing: error))")
    }

    @Test("the digest of one period's files differs with either path and matches the full read's")
    func filesDigest() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeMetadata(dir, metadataObject(periods: 3))
        let full = try DataSet(directory: dir.path)
        let one = try DataSet(directory: dir.path, scope: .period(2))
        #expect(try one.filesDigest(period: 2) == full.filesDigest(period: 2))
        #expect(try full.filesDigest(period: 1) != full.filesDigest(period: 2))
        let swapped = PeriodInfo(period: 0, predictions: "labels/period_0.csv.gz", labels: "predictions/period_0.csv.gz")
        #expect(DataSet.filesDigest(of: swapped) != (try full.filesDigest(period: 0)))
    }
}
