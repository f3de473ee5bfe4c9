import Foundation
import TestSupport
import Testing

/// `scripts/run-local`'s pipeline (`cml-local run --data data/sample
/// --job-env MONITOR_ON_DEGRADATION=continue`) prints, line for line, the
/// transcript kept in `Golden/sample-run.txt`: every number, percentage and
/// message byte-identical. Only what differs from run to run is normalised.
///
/// To take the transcript from another build (e.g. main's, before a merge that
/// changes these lines on purpose): `PERIOD_PIPELINE_BIN=<its .build/debug>
/// SAMPLE_TRANSCRIPT_WRITE=<file> swift test --filter SampleTranscriptTests`
/// writes that build's transcript to the file and fails, so it never passes.
@Suite struct SampleTranscriptTests {
    static let golden = "\(repositoryRoot)/Tests/EndToEndTests/Golden/sample-run.txt"

    @Test func theSamplePipelinePrintsTheGoldenTranscript() throws {
        let store = try makeTemporaryDirectory("transcript")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try runProduct(
            "cml-local", ["run", "--data", "data/sample", "--job-env", "MONITOR_ON_DEGRADATION=continue", "--store", store],
            directory: repositoryRoot
        )
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr == "")
        let expected = try String(contentsOfFile: Self.golden, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let actual = Transcript.canonical(result.stdout, store: store, repository: repositoryRoot)
        if let path = ProcessInfo.processInfo.environment["SAMPLE_TRANSCRIPT_WRITE"] {
            try (actual.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("wrote the transcript to \(path); nothing was compared")
            return
        }
        for (index, (got, want)) in zip(actual, expected).enumerated() where got != want {
            Issue.record("line \(index + 1) of \(Self.golden):\n  expected: \(want)\n  printed:  \(got)")
        }
        #expect(actual.count == expected.count)
    }

    @Test func canonicalFormGroupsEachRunsLinesAndHidesWhatChangesPerRun() {
        let printed = """
            cml-local: CML API v2 at http://127.0.0.1:4711/api/v2, project abcd-0123-efgh-4567; jobs /checkout/jobs.json; store /s/x
            ▶ #1 Get Predictions — run aaaa-bbbb-cccc-dddd ENGINE_RUNNING
              [#1 Get Predictions] one
            ▶ #2 Check Model --period 0,1 — run eeee-ffff-gggg-hhhh ENGINE_RUNNING
              [#2 Check Model] three
              [#1 Get Predictions] two
            ✔ #1 Get Predictions — run aaaa-bbbb-cccc-dddd ENGINE_SUCCEEDED (exit 0) in 0.11 s
            ✔ #2 Check Model --period 0,1 — run eeee-ffff-gggg-hhhh ENGINE_SUCCEEDED (exit 0) in 12 s
            Report: /s/x/report.html

            """
        #expect(
            Transcript.canonical(printed, store: "/s/x", repository: "/checkout") == [
                "cml-local: CML API v2 at http://127.0.0.1:<port>/api/v2, project <id>; jobs <repo>/jobs.json; store <store>",
                "▶ #1 Get Predictions — run <id> ENGINE_RUNNING",
                "  [#1 Get Predictions] one",
                "  [#1 Get Predictions] two",
                "✔ #1 Get Predictions — run <id> ENGINE_SUCCEEDED (exit 0) in <t> s",
                "▶ #2 Check Model --period 0,1 — run <id> ENGINE_RUNNING",
                "  [#2 Check Model] three",
                "✔ #2 Check Model --period 0,1 — run <id> ENGINE_SUCCEEDED (exit 0) in <t> s",
                "Report: <store>/report.html",
            ])
    }
}

/// The launcher's output in an order that does not depend on scheduling.
///
/// The launcher and its job processes print concurrently, so their lines
/// interleave differently from run to run. Each run's lines keep their order
/// and are grouped under that run: `▶ #N` (started), the job's own lines
/// `  [#N Job] …`, then `✔ #N` (ended); the lines before the first run stay
/// first and the lines after it stay last. Run ids, the port, durations,
/// the store and the checkout's path are replaced by placeholders.
enum Transcript {
    static func canonical(_ output: String, store: String, repository: String) -> [String] {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var keyed: [(run: Int, part: Int, index: Int, line: String)] = []
        var seenRun = false
        for (index, raw) in lines.enumerated() {
            let line = raw.replacing(store, with: "<store>").replacing(repository, with: "<repo>")
                .replacing(/\b[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\b/, with: "<id>")
                .replacing(/127\.0\.0\.1:\d+/, with: "127.0.0.1:<port>")
                .replacing(/in \d+(\.\d+)? s$/, with: "in <t> s")
            if let match = line.wholeMatch(of: /\ {2}\[#(\d+) .*/), let run = Int(match.1) {
                keyed.append((run, 1, index, line))
                seenRun = true
            } else if let match = line.wholeMatch(of: /(\S+) #(\d+) .*/), let run = Int(match.2) {
                keyed.append((run, match.1 == "▶" ? 0 : 2, index, line))
                seenRun = true
            } else {
                keyed.append((seenRun ? Int.max : 0, 0, index, line))
            }
        }
        return keyed.sorted { ($0.run, $0.part, $0.index) < ($1.run, $1.part, $1.index) }.map(\.line)
    }
}
