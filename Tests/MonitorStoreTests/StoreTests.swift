import Foundation
import MonitorPolicy
@testable import MonitorStore
import Testing

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Replaces a file's content without the store's fsync (quick, for many variants).
func overwrite(_ path: String, with bytes: [UInt8]) {
    let file = fopen(path, "wb")!
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

@Suite struct IDTableTests {
    @Test func insertFindAndNumbering() {
        var table = IDTable(capacity: 2)
        let ids = (0..<5000).map { "id-\($0)" } + [""]
        for (i, id) in ids.enumerated() {
            let result = Array(id.utf8).withUnsafeBytes { table.insert($0) }
            #expect(result.inserted && result.index == i)
        }
        for (i, id) in ids.enumerated() {
            #expect(Array(id.utf8).withUnsafeBytes { table.find($0) } == i)
            #expect(Array(id.utf8).withUnsafeBytes { table.insert($0) } == (i, false))
        }
        #expect(Array("id-5000".utf8).withUnsafeBytes { table.find($0) } == nil)
        #expect(table.count == ids.count)
        #expect(table.string(at: 42) == "id-42")
    }

    @Test func rebuildsFromArenaAndRejectsDuplicates() throws {
        var table = IDTable()
        for id in ["a", "bb", "ccc"] { _ = Array(id.utf8).withUnsafeBytes { table.insert($0) } }
        let copy = try #require(IDTable(bytes: table.bytes, offsets: table.offsets))
        #expect(Array("bb".utf8).withUnsafeBytes { copy.find($0) } == 1)
        #expect(IDTable(bytes: Array("aa".utf8), offsets: [0, 1, 2]) == nil)
        #expect(IDTable(bytes: Array("ab".utf8), offsets: [0, 3]) == nil)
        #expect(IDTable(bytes: Array("ab".utf8), offsets: [0, 2, 1, 2]) == nil)
    }

    @Test func idsOfOneLengthNeedNoOffsetsUntilOneDiffers() throws {
        var table = IDTable(capacity: 4)
        #expect(table.width == 0)
        let fixed = (0..<3000).map { String(format: "id-%05d", $0) }
        for id in fixed { _ = Array(id.utf8).withUnsafeBytes { table.insert($0) } }
        #expect(table.width == 8 && table.offsets.isEmpty)
        let fixedCopy = try #require(IDTable(bytes: table.bytes, width: 8, count: fixed.count))
        #expect(fixedCopy.digest == table.digest)
        #expect(Array("id-01234".utf8).withUnsafeBytes { fixedCopy.find($0) } == 1234)

        let ids = fixed + ["short", "", "a much longer id than the others"]
        for id in ids.suffix(3) { _ = Array(id.utf8).withUnsafeBytes { table.insert($0) } }
        #expect(table.width == nil && table.offsets.count == ids.count + 1)
        for (i, id) in ids.enumerated() {
            #expect(Array(id.utf8).withUnsafeBytes { table.find($0) } == i)
            #expect(table.string(at: i) == id)
        }
        #expect(table.digest != fixedCopy.digest)
        let copy = try #require(IDTable(bytes: table.bytes, offsets: table.offsets))
        #expect(copy.digest == table.digest)

        // Offsets of ids that all have one length give the same table as inserting them.
        let uniform = try #require(IDTable(bytes: Array("aabbcc".utf8), offsets: [0, 2, 4, 6]))
        #expect(uniform.width == 2 && uniform.offsets.isEmpty)
        var inserted = IDTable()
        for id in ["aa", "bb", "cc"] { _ = Array(id.utf8).withUnsafeBytes { inserted.insert($0) } }
        #expect(uniform.digest == inserted.digest)

        #expect(IDTable(bytes: Array("aabb".utf8), width: 2, count: 3) == nil)
        #expect(IDTable(bytes: Array("aaaa".utf8), width: 2, count: 2) == nil)
        #expect(IDTable(bytes: [], width: -1, count: 0) == nil)
        #expect(IDTable(bytes: [], width: Int.max, count: 2) == nil)
        #expect(IDTable(bytes: [], width: 5, count: 0)?.count == 0)
        #expect(IDTable(bytes: [], width: 0, count: 1)?.count == 1)
        #expect(IDTable(bytes: [], width: 0, count: 1 << 40) == nil)
    }

    @Test func insertsWhileGrowingKeepEveryIDFindable() {
        var table = IDTable(capacity: 1)
        for i in 0..<20_000 {
            let result = Array("x\(i * 7919)".utf8).withUnsafeBytes { table.insert($0) }
            #expect(result.inserted)
        }
        #expect((0..<20_000).allSatisfy { i in Array("x\(i * 7919)".utf8).withUnsafeBytes { table.find($0) } == i })
    }
}

@Suite struct ClassTableTests {
    @Test func internsInOrderOfAppearance() {
        var table = ClassTable()
        let labels = ["1", "0", "1", "x", "0"] + (0..<20).map { "c\($0)" } + ["c3", "1"]
        let numbers = labels.map { label in Array(label.utf8).withUnsafeBytes { table.intern($0)! } }
        #expect(numbers.prefix(5) == [0, 1, 0, 2, 1])
        #expect(numbers.suffix(2) == [6, 0])
        #expect(table.names.count == 23)
        #expect(table.number(of: "x") == 2)
    }

    @Test func refusesTooManyClasses() {
        var table = ClassTable()
        for i in 0..<ClassTable.limit {
            #expect(Array("k\(i)".utf8).withUnsafeBytes { table.intern($0) } != nil)
        }
        #expect(Array("one more".utf8).withUnsafeBytes { table.intern($0) } == nil)
    }
}

@Suite struct StoreTests {
    @Test func periodDirectoriesArePadded() {
        let store = Store(root: "/s")
        #expect(store.periodDirectory(3) == "/s/periods/0003")
        #expect(store.periodDirectory(12345) == "/s/periods/12345")
        #expect(store.metricsPath(0) == "/s/periods/0000/metrics.json")
    }

    @Test func defaultRootIsSafe() {
        #expect(Store.defaultRoot(dataSetName: "sample") == "state/sample")
        #expect(Store.defaultRoot(dataSetName: "../../etc") == "state/.._.._etc")
        #expect(Store.defaultRoot(dataSetName: "..") == "state/default")
        #expect(Store.defaultRoot(dataSetName: "") == "state/default")
    }

    @Test func predictionsRoundTripAndDropLaterOutputs() throws {
        let store = Store(root: try temporaryDirectory())
        var ids = IDTable()
        for id in ["a", "b", "c"] { _ = Array(id.utf8).withUnsafeBytes { ids.insert($0) } }
        let stored = StoredPredictions(ids: ids, classNames: ["1", "0"], predictions: [0, 1, 0], scores: [0.9, 0.2, 0.7])
        let summary = PredictionSummary(
            period: 2, totalPeriods: 5, rows: 3, positiveLabel: "1", predictedPositiveRate: 2.0 / 3,
            predictedClasses: ["1": 2, "0": 1], scores: nil
        )
        try FileSystem.writeAtomically("stale", to: store.metricsPath(2))
        try store.writePredictions(stored, summary: summary, period: 2)
        #expect(!FileSystem.exists(store.metricsPath(2)))
        let back = try store.readPredictions(2)
        #expect(back.classNames == ["1", "0"])
        #expect(back.predictions == [0, 1, 0])
        #expect(back.scores == [0.9, 0.2, 0.7])
        #expect(back.ids.string(at: 2) == "c")
        #expect(try store.readSummary(2) == summary)
        let json = String(decoding: try FileSystem.read(store.summaryPath(2)), as: UTF8.self)
        #expect(json.contains("\"scores\" : null"))
    }

    @Test func joinedRoundTripCompletesTheStoredPredictions() throws {
        let store = Store(root: try temporaryDirectory())
        var ids = IDTable()
        for id in ["a", "b"] { _ = Array(id.utf8).withUnsafeBytes { ids.insert($0) } }
        let stored = StoredPredictions(ids: ids, classNames: ["1", "0"], predictions: [0, 1], scores: nil)
        let summary = PredictionSummary(
            period: 0, totalPeriods: 1, rows: 2, positiveLabel: "1", predictedPositiveRate: 0.5,
            predictedClasses: ["1": 1, "0": 1], scores: nil
        )
        try store.writePredictions(stored, summary: summary, period: 0)
        let joined = JoinedLabels(classNames: ["1", "0", "2"], labels: [2, -1], idsDigest: stored.idsDigest)
        let coverage = Coverage(period: 0, totalPeriods: 1, rows: 2, labeled: 1, unlabeled: 1, labelsWithoutPrediction: 4)
        try store.writeJoined(joined, coverage: coverage, period: 0)
        let back = try store.readJoined(0)
        #expect(back.predictions == [0, 1])
        #expect(back.labels == [2, -1])
        #expect(back.classNames == ["1", "0", "2"])
        #expect(back.scores == nil)
        #expect(back.idsDigest == stored.idsDigest)
        #expect(try store.readCoverage(0) == coverage)

        // get-predictions ran again on changed data (same row count and classes, other ids) after these
        // labels were joined: a late joined.bin of the earlier predictions is refused, not paired with them.
        var otherIDs = IDTable()
        for id in ["b", "a"] { _ = Array(id.utf8).withUnsafeBytes { otherIDs.insert($0) } }
        let again = StoredPredictions(ids: otherIDs, classNames: ["1", "0"], predictions: [1, 0], scores: nil)
        try store.writePredictions(again, summary: summary, period: 0)
        #expect(!FileSystem.exists(store.joinedPath(0)))
        try store.writeJoined(joined, coverage: coverage, period: 0)
        let stale = #expect(throws: StoreError.self) { try store.readJoined(0) }
        #expect(stale?.kind == .corrupt)
        #expect(stale?.path == store.joinedPath(0))
        #expect(stale?.description.contains("re-run load-ground-truth for period 0") == true)
        let longer = JoinedLabels(classNames: ["1", "0"], labels: [1, 0, 1], idsDigest: again.idsDigest)
        try store.writeJoined(longer, coverage: coverage, period: 0)
        #expect(throws: StoreError.self) { try store.readJoined(0) }
    }

    /// Class numbers take one byte below 255 classes and two from there on.
    @Test(arguments: [2, 254, 255, 1000])
    func classNumbersRoundTripAtEveryWidth(classCount: Int) throws {
        let store = Store(root: try temporaryDirectory())
        var ids = IDTable()
        let rows = 600
        for i in 0..<rows { _ = Array("id\(i)".utf8).withUnsafeBytes { ids.insert($0) } }
        let names = (0..<classCount).map { "c\($0)" }
        let predictions = (0..<rows).map { Int32($0 * 7 % classCount) }
        let stored = StoredPredictions(ids: ids, classNames: names, predictions: predictions, scores: nil)
        let summary = PredictionSummary(
            period: 0, totalPeriods: 1, rows: rows, positiveLabel: "c0", predictedPositiveRate: nil,
            predictedClasses: [:], scores: nil
        )
        try store.writePredictions(stored, summary: summary, period: 0)
        #expect(try store.readPredictions(0).predictions == predictions)
        let idsOnly = try store.readPredictionIDs(0)
        #expect(idsOnly.count == rows && idsOnly.classNames == names && idsOnly.idsDigest == stored.idsDigest)
        #expect(Array("id599".utf8).withUnsafeBytes { idsOnly.ids.find($0) } == 599)
        let labels = (0..<rows).map { Int32($0 % 3 == 0 ? -1 : ($0 * 13) % (classCount + 1)) }
        let joined = JoinedLabels(classNames: names + ["extra"], labels: labels, idsDigest: stored.idsDigest)
        let coverage = Coverage(period: 0, totalPeriods: 1, rows: rows, labeled: 0, unlabeled: 0, labelsWithoutPrediction: 0)
        try store.writeJoined(joined, coverage: coverage, period: 0)
        let back = try store.readJoined(0)
        #expect(back.labels == labels)
        #expect(back.predictions == predictions)
    }

    @Test func missingAndCorruptFilesAreNamed() throws {
        let store = Store(root: try temporaryDirectory())
        let missing = #expect(throws: StoreError.self) { try store.readJoined(7) }
        #expect(missing?.kind == .missing)
        #expect(missing?.description.contains("run load-ground-truth for period 7 first") == true)
        try FileSystem.writeAtomically("PPJOIN04 but short", to: store.joinedPath(7))
        let corrupt = #expect(throws: StoreError.self) { try store.readJoined(7) }
        #expect(corrupt?.kind == .corrupt)
        #expect(corrupt?.path == store.joinedPath(7))
        try FileSystem.writeAtomically("not ours", to: store.predictionsPath(7))
        #expect(throws: StoreError.self) { try store.readPredictions(7) }
    }

    @Test(arguments: [["a", "bb", "ccc", "dddd"], ["aa", "bb", "cc", "dd"]])
    func everyCutOrFlippedPredictionsFileIsRefusedOrReadSafely(names: [String]) throws {
        let store = Store(root: try temporaryDirectory())
        var ids = IDTable(capacity: 4)
        for id in names { _ = Array(id.utf8).withUnsafeBytes { ids.insert($0) } }
        let stored = StoredPredictions(ids: ids, classNames: ["1", "0"], predictions: [0, 1, 0, 1], scores: [0.9, 0.2, 0.7, 0.1])
        let summary = PredictionSummary(
            period: 0, totalPeriods: 1, rows: 4, positiveLabel: "1", predictedPositiveRate: 0.5,
            predictedClasses: ["1": 2, "0": 2], scores: nil
        )
        try store.writePredictions(stored, summary: summary, period: 0)
        let good = try FileSystem.read(store.predictionsPath(0))
        #expect(try store.readPredictions(0).ids.digest == ids.digest)
        #expect(try store.readPredictionIDs(0).ids.digest == ids.digest)
        for cut in 0..<good.count {
            overwrite(store.predictionsPath(0), with: Array(good.prefix(cut)))
            let error = #expect(throws: StoreError.self) { try store.readPredictions(0) }
            #expect(error?.kind == .corrupt)
            let idsError = #expect(throws: StoreError.self) { try store.readPredictionIDs(0) }
            #expect(idsError?.kind == .corrupt)
        }
        for position in 0..<good.count {
            var bad = good
            bad[position] ^= 0x5A
            overwrite(store.predictionsPath(0), with: bad)
            // A flipped byte is either refused or yields a table that stays within its arrays.
            if let back = try? store.readPredictions(0) {
                for id in names + ["e"] {
                    _ = Array(id.utf8).withUnsafeBytes { back.ids.find($0) }
                }
                for i in 0..<back.ids.count { _ = back.ids.string(at: i) }
            }
            if let back = try? store.readPredictionIDs(0) {
                for id in names + ["e"] {
                    _ = Array(id.utf8).withUnsafeBytes { back.ids.find($0) }
                }
            }
        }
    }

    @Test func metricsWriteEveryFieldIncludingNulls() throws {
        let store = Store(root: try temporaryDirectory())
        #expect(try store.readMetrics(0) == nil)
        let record = MetricsRecord(
            period: 0, totalPeriods: 3, rows: 0, labeled: 0, unlabeled: 0, correct: 0, labelsWithoutPrediction: 0,
            accuracy: nil, precision: nil, recall: nil, f1: nil, rocAUC: nil, averaging: .binary, positiveLabel: "1",
            confusionMatrix: .init(labels: [], matrix: []), undefined: ["accuracy": "no labeled rows"],
            baselineAccuracy: nil, baselineSource: nil, drop: nil, pValue: nil, degraded: false,
            insufficientGroundTruth: true, reason: "insufficient ground truth", decision: .continue
        )
        try store.writeMetrics(record)
        #expect(try store.readMetrics(0) == record)
        let object = try JSONSerialization.jsonObject(with: Data(try FileSystem.read(store.metricsPath(0)))) as! [String: Any]
        for key in ["period", "total_periods", "rows", "labeled", "accuracy", "precision", "recall", "f1", "roc_auc",
                    "baseline_accuracy", "degraded", "reason", "decision", "confusion_matrix"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["roc_auc"] is NSNull)
    }

    /// `averaging` and `decision` are the policy's enums in Swift and the same strings in the file as before.
    @Test(arguments: [("binary", "continue"), ("macro", "stop_degraded"), ("binary", "last_period")])
    func metricsEnumsKeepTheirStrings(averaging: String, decision: String) throws {
        let store = Store(root: try temporaryDirectory())
        let json = #"""
            {"period": 1, "total_periods": 2, "rows": 4, "labeled": 4, "unlabeled": 0, "correct": 3,
             "labels_without_prediction": 0, "accuracy": 0.75, "precision": null, "recall": null, "f1": null,
             "roc_auc": null, "averaging": "\#(averaging)", "positive_label": "1",
             "confusion_matrix": {"labels": ["0", "1"], "matrix": [[1, 1], [0, 2]]}, "undefined": {},
             "baseline_accuracy": 0.9, "baseline_source": "period 0", "drop": 0.15, "p_value": 0.01,
             "degraded": true, "insufficient_ground_truth": false, "reason": "r", "decision": "\#(decision)",
             "min_accuracy": null, "max_drop": 0.05, "unexpected_classes": {}, "averaging_source": "period 0"}
            """#
        try FileSystem.writeAtomically(json, to: store.metricsPath(1))
        let record = try #require(try store.readMetrics(1))
        #expect(record.averaging == Averaging(rawValue: averaging) && record.decision == Decision(rawValue: decision))
        try store.writeMetrics(record)
        let written = try JSONSerialization.jsonObject(with: Data(try FileSystem.read(store.metricsPath(1)))) as! [String: Any]
        let given = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        // Fields added since this file was written come back as null; every field it had comes back unchanged.
        for (key, value) in given {
            #expect((written[key] as? NSObject) == (value as? NSObject), "\(key)")
        }
        #expect(written["decision"] as? String == decision && written["averaging"] as? String == averaging)
    }

    @Test func atomicWriteLeavesNoTemporaryFiles() throws {
        let root = try temporaryDirectory()
        for i in 0..<20 { try FileSystem.writeAtomically("content \(i)", to: "\(root)/a/b/file.txt") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/a/b") == ["file.txt"])
        #expect(String(decoding: try FileSystem.read("\(root)/a/b/file.txt"), as: UTF8.self) == "content 19")
    }

    @Test func writeIntoAFileInsteadOfADirectoryFails() throws {
        let root = try temporaryDirectory()
        try FileSystem.writeAtomically("x", to: "\(root)/file")
        let error = #expect(throws: StoreError.self) { try FileSystem.writeAtomically("y", to: "\(root)/file/inner") }
        #expect(error?.kind == .io)
    }

    @Test("an atomic write never renames over a FIFO, a device or a symbolic link", arguments: ["fifo", "link to a file", "link to /dev/null"])
    func atomicWriteRefusesWhatIsNotARegularFile(kind: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = "\(root)/target"
        switch kind {
        case "fifo": #expect(mkfifo(path, 0o644) == 0)
        case "link to a file":
            try FileSystem.writeAtomically("kept", to: "\(root)/file")
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "file")
        default: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/null")
        }
        let before = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        let error = #expect(throws: StoreError.self) { try FileSystem.writeAtomically("new", to: path) }
        #expect(error?.description == "\(path): is not a regular file; it is not replaced")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == (kind == "link to a file" ? ["file", "target"] : ["target"]))
        if kind == "link to a file" { #expect(String(decoding: try FileSystem.read("\(root)/file"), as: UTF8.self) == "kept") }
    }

    @Test func lockIsExclusive() throws {
        let store = Store(root: try temporaryDirectory())
        do {
            let first = try StoreLock(store: store)
            let error = #expect(throws: StoreError.self) { try StoreLock(store: store) }
            #expect(error?.kind == .locked)
            withExtendedLifetime(first) {}
        }
        _ = try StoreLock(store: store)
    }
}
