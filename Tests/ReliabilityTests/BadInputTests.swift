import Foundation
import Platform
import TestSupport
import Testing

/// Two periods of 60 rows, both already through the whole chain: every bad
/// input below is tried on a copy, and the store must come out unchanged.
let baseline: Sandbox = {
    let sandbox = try! Sandbox.make(
        [generatedPeriod(period: 0, rows: 60, seed: 1), generatedPeriod(period: 1, rows: 60, seed: 2)], label: "bad-base"
    )
    try! sandbox.runPeriod(0, of: 2)
    try! sandbox.runPeriod(1, of: 2)
    baselineRoot = sandbox.root
    atexit { if let root = baselineRoot { try? FileManager.default.removeItem(atPath: root) } }
    return sandbox
}()

/// The baseline's folder, removed when the test process exits.
nonisolated(unsafe) private var baselineRoot: String?

/// One damaged input, the job that reads it, and what its ERROR line must name.
struct BadInput: CustomTestStringConvertible, Sendable {
    enum Target: Sendable { case predictions, labels, metadata }

    let name: String
    let job: String
    let arguments: [String]
    let needles: [String]
    let damage: @Sendable (Sandbox) throws -> Void

    init(
        _ name: String, job: String, arguments: [String] = ["--period", "1,2"], needles: [String],
        damage: @escaping @Sendable (Sandbox) throws -> Void
    ) {
        self.name = name
        self.job = job
        self.arguments = arguments
        self.needles = needles
        self.damage = damage
    }

    var testDescription: String { "\(job): \(name)" }

    static func job(for target: Target) -> String {
        switch target {
        case .predictions: "get-predictions"
        case .labels: "load-ground-truth"
        case .metadata: "check-model"
        }
    }

    static func path(_ target: Target, in sandbox: Sandbox) -> String {
        switch target {
        case .predictions: sandbox.predictions(1)
        case .labels: sandbox.labels(1)
        case .metadata: sandbox.metadata
        }
    }

    static func relative(_ target: Target) -> String {
        switch target {
        case .predictions: "predictions/period_0001.csv.gz"
        case .labels: "labels/period_0001.csv.gz"
        case .metadata: "metadata.json.gz"
        }
    }

    /// The gzip file of `target` rewritten by `edit`.
    static func gzip(_ name: String, _ target: Target, needles: [String] = [], _ edit: @escaping @Sendable (Data) -> Data)
        -> BadInput
    {
        BadInput(name + " (\(relative(target)))", job: job(for: target), needles: [relative(target)] + needles) { sandbox in
            let path = Self.path(target, in: sandbox)
            try write(edit(contents(path)!), to: path)
        }
    }

    /// The CSV of `target` replaced by `csv` (gzip-compressed).
    static func csv(_ name: String, _ target: Target, _ csv: Data, needles: [String]) -> BadInput {
        BadInput(name, job: job(for: target), needles: [relative(target)] + needles) { sandbox in
            try writeGzip(csv, to: Self.path(target, in: sandbox))
        }
    }

    static func csv(_ name: String, _ target: Target, _ csv: String, needles: [String]) -> BadInput {
        Self.csv(name, target, Data(csv.utf8), needles: needles)
    }

    /// The metadata replaced by `json`, for `job`.
    static func metadata(_ name: String, job: String = "get-predictions", _ json: String, needles: [String]) -> BadInput {
        BadInput(name, job: job, needles: ["metadata.json.gz"] + needles) { sandbox in
            try writeGzip(json, to: sandbox.metadata)
        }
    }
}

/// The metadata of the baseline with `periods` replaced.
func metadataJSON(numPeriods: Int = 2, periods: [(Int, String, String)]? = nil) -> String {
    let entries = (periods ?? [
        (0, "predictions/period_0000.csv.gz", "labels/period_0000.csv.gz"),
        (1, "predictions/period_0001.csv.gz", "labels/period_0001.csv.gz"),
    ]).map { #"{"period": \#($0.0), "predictions": "\#($0.1)", "labels": "\#($0.2)"}"# }
    return #"{"format_version": 1, "name": "fixture", "num_periods": \#(numPeriods), "periods": [\#(entries.joined(separator: ", "))]}"#
}

let gzipDamage: [BadInput] = [BadInput.Target.predictions, .labels, .metadata].flatMap { target -> [BadInput] in
    var cases: [BadInput] = []
    for cut in [1, 2, 10, -8, -1] {
        cases.append(.gzip("truncated at \(cut < 0 ? "end\(cut)" : String(cut))", target) { data in
            data.prefix(cut < 0 ? data.count + cut : cut)
        })
    }
    cases.append(.gzip("truncated in the middle", target, needles: ["truncated"]) { $0.prefix($0.count / 2) })
    cases += [
        .gzip("flipped byte in the body", target) { data in
            var copy = data
            copy[copy.startIndex + 10 + (copy.count - 18) / 2] ^= 0xFF
            return copy
        },
        .gzip("flipped byte in the CRC", target, needles: ["CRC"]) { data in
            var copy = data
            copy[copy.endIndex - 8] ^= 0x01
            return copy
        },
        .gzip("huge declared length (ISIZE)", target, needles: ["ISIZE"]) { data in
            data.prefix(data.count - 4) + Data([0xFF, 0xFF, 0xFF, 0xFF])
        },
        .gzip("empty file", target, needles: ["empty file"]) { _ in Data() },
        .gzip("not a gzip file", target, needles: ["not a gzip file"]) { _ in Data("id,prediction\na,1\n".utf8) },
        .gzip("trailing garbage", target, needles: ["trailing garbage"]) { $0 + Data("garbage!".utf8) },
        .gzip("a lone 1f byte after the member", target) { $0 + Data([0x1F]) },
    ]
    return cases
}

let csvDamage: [BadInput] = [
    .csv("missing header column prediction", .predictions, "id,score\na,0.5\n", needles: [#"missing required column "prediction""#]),
    .csv("missing header column id", .predictions, "ident,prediction\na,1\n", needles: [#"missing required column "id""#]),
    .csv("missing header column label", .labels, "id,lbl\np1-0,1\n", needles: [#"missing required column "label""#]),
    .csv("unterminated quote", .predictions, "id,prediction\na,1\n\"b,0\nc,1\n", needles: [":3:", "unterminated"]),
    .csv("unterminated quote in labels", .labels, "id,label\np1-0,\"1\n", needles: [":2:", "unterminated"]),
    .csv("wrong field count (more)", .predictions, "id,prediction\na,1\nb,0,extra\n", needles: [":3:", "wrong number of fields"]),
    .csv("wrong field count (fewer)", .labels, "id,label\np1-0,1\np1-1\n", needles: [":3:", "wrong number of fields"]),
    .csv("invalid UTF-8 in an id", .predictions, Data("id,prediction\na,1\n".utf8) + Data([0xC3, 0x28]) + Data(",0\n".utf8), needles: [":3:", "id is not valid UTF-8"]),
    .csv("invalid UTF-8 in a label", .labels, Data("id,label\np1-0,".utf8) + Data([0xFF]) + Data("\n".utf8), needles: [":2:", "label is not valid UTF-8"]),
    .csv("invalid UTF-8 in the header", .predictions, Data("id,pred".utf8) + Data([0xFE]) + Data("\na,1\n".utf8), needles: [":1:", "not valid UTF-8"]),
    .csv("a 10 MB single field", .predictions, "id,prediction\na,1\nb," + String(repeating: "x", count: 10 << 20) + "\n", needles: [":3:", "larger than the limit"]),
    .csv("NUL byte in a field", .predictions, "id,prediction\na,1\nb\u{0},0\n", needles: [":3:", "NUL byte"]),
    .csv("NUL byte in a quoted field", .labels, "id,label\n\"p1-0\u{0}\",1\n", needles: [":2:", "NUL byte"]),
    .csv("a quote inside an unquoted field", .predictions, "id,prediction\na\"b,1\n", needles: [":2:", "quote"]),
    .csv("duplicate header names", .predictions, "id,prediction,id\na,1,b\n", needles: [":1:", "duplicate column name"]),
    .csv("score not a number", .predictions, "id,prediction,score\na,1,0.5\nb,0,abc\n", needles: [":3:", #""abc""#]),
    .csv("score out of range", .predictions, "id,prediction,score\na,1,1.5\n", needles: [":2:", #""1.5""#, "outside [0, 1]"]),
    .csv("score with a line break", .predictions, "id,prediction,score\na,1,\"0.5\nmore\"\n", needles: [":2:", #"score "0.5\nmore" is not a number"#]),
    .csv("empty id", .predictions, "id,prediction\n,1\n", needles: [":2:", "empty id"]),
    .csv("empty prediction", .predictions, "id,prediction\na,\n", needles: [":2:", "empty prediction"]),
    .csv("duplicate prediction id", .predictions, "id,prediction\na,1\nb,0\na,0\n", needles: [":4:", "duplicate id 'a'"]),
    .csv("duplicate prediction id holding a line break", .predictions, "id,prediction\n\"a\nb\",1\n\"a\nb\",0\n", needles: [":4:", #"duplicate id 'a\nb'"#]),
    .csv("duplicate label ids with conflicting labels", .labels, "id,label\np1-0,1\np1-1,0\np1-0,0\n", needles: [":4:", "duplicate id 'p1-0'"]),
    .csv("duplicate unknown label ids", .labels, "id,label\nzz,1\nzz,0\n", needles: [":3:", "duplicate id 'zz'"]),
    .csv("predictions without any row but rows = 60 in the metadata", .predictions, "id,prediction\n", needles: ["has 0 prediction rows", "rows = 60"]),
    .csv("an empty CSV (no header)", .predictions, "", needles: ["empty CSV file"]),
]

let metadataDamage: [BadInput] = [
    .metadata("num_periods larger than the periods", metadataJSON(numPeriods: 3), needles: ["periods has 2 entries but num_periods is 3"]),
    .metadata("num_periods 0", metadataJSON(numPeriods: 0, periods: []), needles: ["num_periods is 0"]),
    .metadata(
        "duplicate period numbers",
        metadataJSON(periods: [(0, "predictions/period_0000.csv.gz", "labels/period_0000.csv.gz"), (0, "predictions/period_0001.csv.gz", "labels/period_0001.csv.gz")]),
        needles: ["duplicate period numbers: 0", "missing period numbers: 1"]
    ),
    .metadata(
        "missing period number",
        metadataJSON(periods: [(0, "predictions/period_0000.csv.gz", "labels/period_0000.csv.gz"), (2, "predictions/period_0001.csv.gz", "labels/period_0001.csv.gz")]),
        needles: ["periods[1].period is 2, expected 1", "missing period numbers: 1"]
    ),
    .metadata(
        "absolute predictions path",
        metadataJSON(periods: [(0, "predictions/period_0000.csv.gz", "labels/period_0000.csv.gz"), (1, "/etc/passwd", "labels/period_0001.csv.gz")]),
        needles: ["\"/etc/passwd\" is an absolute path"]
    ),
    .metadata(
        "'..' in the labels path",
        job: "load-ground-truth",
        metadataJSON(periods: [(0, "predictions/period_0000.csv.gz", "labels/period_0000.csv.gz"), (1, "predictions/period_0001.csv.gz", "labels/../../outside.csv.gz")]),
        needles: [#"contains "..""#]
    ),
    .metadata("not JSON", "{\"format_version\": 1, name", needles: ["not valid JSON"]),
    .metadata("a JSON array", "[1, 2]", needles: ["invalid metadata"]),
    .metadata("empty JSON", "", needles: ["invalid metadata"]),
    .metadata("format_version 2", metadataJSON().replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 2"), needles: ["unsupported format_version 2"]),
    .metadata("num_periods a string", metadataJSON().replacingOccurrences(of: "\"num_periods\": 2", with: "\"num_periods\": \"2\""), needles: ["num_periods"]),
    .metadata(
        "rows not an integer",
        metadataJSON().replacingOccurrences(of: #""period": 1,"#, with: #""period": 1, "rows": 300.5,"#),
        needles: ["invalid metadata: periods[1].rows: expected an integer, found 300.5"]
    ),
    .metadata("missing name", metadataJSON().replacingOccurrences(of: "\"name\": \"fixture\", ", with: ""), needles: ["missing field name"]),
    BadInput("a symlink leaving the data dir", job: "get-predictions", needles: ["resolves to", "outside the data directory"]) { sandbox in
        let outside = "\(sandbox.root)/outside.csv.gz"
        try FileManager.default.moveItem(atPath: sandbox.predictions(1), toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: sandbox.predictions(1), withDestinationPath: outside)
    },
    BadInput("a symlinked folder leaving the data dir", job: "load-ground-truth", needles: ["outside the data directory"]) { sandbox in
        let outside = "\(sandbox.root)/elsewhere"
        try FileManager.default.moveItem(atPath: "\(sandbox.data)/labels", toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.data)/labels", withDestinationPath: outside)
    },
    BadInput("missing data dir", job: "get-predictions", needles: ["the data directory does not exist"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.data)
    },
    BadInput("data dir is a file", job: "check-model", needles: ["not a directory"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.data)
        try write(Data("x".utf8), to: sandbox.data)
    },
    BadInput("missing metadata", job: "load-ground-truth", needles: ["metadata.json.gz", "file not found"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.metadata)
    },
    BadInput("missing predictions file", job: "get-predictions", needles: ["predictions/period_0001.csv.gz", "file not found"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.predictions(1))
    },
    BadInput("missing labels file", job: "load-ground-truth", needles: ["labels/period_0001.csv.gz", "file not found"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.labels(1))
    },
    BadInput("period total mismatch", job: "check-model", arguments: ["--period", "1,3"], needles: ["Period total mismatch", "num_periods = 2"]) { _ in },
    BadInput("a period file that is a directory", job: "get-predictions", needles: ["predictions/period_0001.csv.gz", "is a directory"]) { sandbox in
        try FileManager.default.removeItem(atPath: sandbox.predictions(1))
        try FileManager.default.createDirectory(atPath: sandbox.predictions(1), withIntermediateDirectories: false)
    },
]

/// Invalid `--period` values (docs/period-contract.md): every job rejects each before reading anything.
let invalidPeriods: [String] = [
    "", " ", "1", ",", "1,", ",1", "a,b", "1,2,3", "-1,2", "+1,2", "1,-2", "0,0", "3,2", "1.0,2", "0x1,2", "1e1,2",
    "99999999999999999999,1", "1,99999999999999999999", "\u{FF11},\u{FF12}", "1 2", "1;2", "1,2\n", "\t", "0,,2",
    "0,2 ,", "1, 2x", "١,٢", "0,2; touch pwned",
]

@Suite("Bad inputs: one ERROR line, exit 1, the store unchanged, nothing triggered")
struct BadInputTests {
    @Test(arguments: gzipDamage + csvDamage + metadataDamage)
    func badInput(_ input: BadInput) async throws {
        let sandbox = try baseline.copy(label: "bad")
        defer { sandbox.remove() }
        let before = storeFiles(sandbox.store)
        try input.damage(sandbox)
        let result = try await sandbox.run(input.job, input.arguments)
        expectOneError(result, input.needles, input.testDescription)
        #expect(storeFiles(sandbox.store) == before, "\(input.testDescription): the store changed")
    }

    @Test(arguments: ["get-predictions", "load-ground-truth", "check-model"])
    func invalidPeriod(job: String) async throws {
        let before = storeFiles(baseline.store)
        for value in invalidPeriods {
            let result = try await baseline.run(job, ["--period", value])
            expectOneError(result, ["ERROR: Invalid parameter format. Expected 'current_period,total_periods'"], "\(job) --period \(value.debugDescription)")
            #expect(result.stdout.isEmpty, "\(job) --period \(value.debugDescription): \(result.stdout)")
        }
        for arguments in [["--period", "0,2", "--period", "1,2"], ["--period"], ["--period", "1,2", "--period", "x"]] {
            let result = try await baseline.run(job, arguments)
            expectOneError(result, ["ERROR: Invalid parameter format"], "\(job) \(arguments)")
        }
        #expect(storeFiles(baseline.store) == before)
    }

    @Test("labels with unknown ids are counted, not fatal")
    func unknownLabelIdsAreCounted() async throws {
        let sandbox = try baseline.copy(label: "bad")
        defer { sandbox.remove() }
        try writeGzip("id,label\np1-0,1\nghost-1,0\nghost-2,1\np1-1,0\n", to: sandbox.labels(1))
        let result = try await sandbox.run("load-ground-truth", ["--period", "1,2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("Labeled: 2 of 60 predictions (58 unlabeled), 2 labels without a prediction"))
        let coverage = try JSONSerialization.jsonObject(with: contents("\(sandbox.periodDirectory(1))/coverage.json")!) as! [String: Any]
        #expect(coverage["labels_without_prediction"] as? Int == 2)
    }

    /// A few of the cases through `cml-local run`: the failed run is the last one.
    @Test(arguments: [0, 6, 16, 26, 43])
    func throughTheLauncher(index: Int) async throws {
        let input = (gzipDamage + csvDamage)[index]
        let sandbox = try baseline.copy(label: "bad-cml")
        defer { sandbox.remove() }
        try writeJobsFile(to: "\(sandbox.root)/jobs.json")
        let before = storeFiles(sandbox.store, includeLauncher: false)
        try input.damage(sandbox)
        let result = try await runLauncher(
            ["--jobs", "jobs.json", "--data", sandbox.data, "--store", sandbox.store, "--period", "1,2"], in: sandbox.root
        )
        #expect(result.status == 1, "\(input.testDescription): \(result.stdout)")
        let history = try String(contentsOfFile: "\(sandbox.store)/launcher/runs.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let failing = input.job == "get-predictions" || input.name.contains("metadata.json.gz") ? 1 : 2
        #expect(history.count == failing, "\(input.testDescription): \(result.stdout)")
        #expect(history.last?["status"] as? String == "ENGINE_FAILED")
        #expect(history.dropLast().allSatisfy { $0["status"] as? String == "ENGINE_SUCCEEDED" })
        let errors = result.stdout.split(separator: "\n").filter { $0.contains("stderr: ") }
        #expect(errors.count == 1, "\(result.stdout)")
        #expect(errors.first?.contains("stderr: ERROR: ") == true)
        if failing == 1 {
            #expect(storeFiles(sandbox.store, includeLauncher: false) == before)
        }
    }
}
