import Foundation
import Platform
import TestSupport
import Testing

/// Two versions of a one-period data set of 100,000 rows (the old and the new
/// input), and the store each produces in a clean run: the reference outputs.
struct KillWorld {
    static let files = ["predictions.bin", "summary.json", "joined.bin", "coverage.json", "metrics.json"]
    static let jobs = ["get-predictions", "load-ground-truth", "check-model"]

    let sandbox: Sandbox
    var dataA: String { "\(sandbox.root)/dataA" }
    var dataB: String { "\(sandbox.root)/dataB" }
    let old: [String: Data]
    let new: [String: Data]
    /// The store-level records of the new data's store (its data set, its task): in place
    /// before a job runs, so that the job's first write is its own output.
    let records: [String: Data]

    init(rows: Int = 100_000) throws {
        sandbox = Sandbox(root: try makeTemporaryDirectory("kill"))
        let root = sandbox.root
        try writeDataSet([generatedPeriod(period: 0, rows: rows, accuracy: 0.9, seed: 101)], to: "\(root)/dataA")
        try writeDataSet(
            [generatedPeriod(period: 0, rows: rows, accuracy: 0.8, seed: 202, unknownLabels: 5, unlabeledEvery: 7)],
            to: "\(root)/dataB"
        )
        func reference(_ data: String, _ store: String) throws -> [String: Data] {
            for job in Self.jobs {
                let result = try runProduct(
                    job, ["--period", "0,1", "--data", data, "--store", store], directory: root
                )
                guard result.status == 0 else { throw FixtureError("\(job): \(result.stderr)") }
            }
            var files: [String: Data] = [:]
            for file in Self.files { files[file] = contents("\(store)/periods/0000/\(file)") }
            return files
        }
        old = try reference("\(root)/dataA", "\(root)/refA")
        new = try reference("\(root)/dataB", "\(root)/refB")
        var records: [String: Data] = [:]
        for file in ["dataset.json", "task.json"] { records[file] = contents("\(root)/refB/\(file)") }
        self.records = records
    }

    /// What each job writes (`true`) or removes (`false`).
    static func effects(of job: String) -> [String: Bool] {
        switch job {
        case "get-predictions":
            ["predictions.bin": true, "summary.json": true, "joined.bin": false, "coverage.json": false, "metrics.json": false]
        case "load-ground-truth": ["joined.bin": true, "coverage.json": true, "metrics.json": false]
        default: ["metrics.json": true]
        }
    }

    /// The store before a run of `job`: its inputs new, its outputs (and what follows them) old.
    func startState(for job: String) -> [String: Data] {
        var state = old
        let inputs: [String] = switch job {
        case "get-predictions": []
        case "load-ground-truth": ["predictions.bin", "summary.json"]
        default: ["predictions.bin", "summary.json", "joined.bin", "coverage.json"]
        }
        for file in inputs { state[file] = new[file] }
        return state
    }
}

@Suite("Faults: SIGKILL while writing", .serialized)
struct KillTests {
    @Test(
        "jobs killed at each named point of a write leave every store file old or new, never partial, and re-run identically",
        .timeLimit(.minutes(5))
    )
    func killedJobs() async throws {
        let world = try await detached { try KillWorld() }
        defer { world.sandbox.remove() }
        for file in KillWorld.files { #expect(world.old[file] != nil && world.new[file] != world.old[file], "\(file)") }

        let store = "\(world.sandbox.root)/store"
        let directory = "\(store)/periods/0000"
        let points = ["temporary-written", "before-rename", "after-first-rename"]
        var kills = 0, midWrite = 0, changedFiles = 0, leftovers = 0
        for job in KillWorld.jobs {
            for point in points {
            let index = kills
            kills += 1
            let start = world.startState(for: job)
            try? FileManager.default.removeItem(atPath: store)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (file, data) in start { try write(data, to: "\(directory)/\(file)") }
            for (file, data) in world.records { try write(data, to: "\(store)/\(file)") }

            // The job stops itself (SIGSTOP) at the named point of its first write; it is killed there.
            let process = try Spawned(
                "\(executablesDirectory())/\(job)", ["--period", "0,1", "--data", world.dataB, "--store", store],
                environment: ["PATH": "/usr/bin:/bin", "MONITOR_TEST_STOP_AT": point], directory: world.sandbox.root,
                logs: "\(world.sandbox.root)/kill-\(index)"
            )
            let stopped = await waitUntil(timeout: .seconds(60)) { processState(process.pid) == "T" || !process.process.isRunning }
            #expect(stopped && process.process.isRunning, "kill \(index) (\(job)): never stopped at \(point): \(process.stderr)")
            process.kill()
            let status = await process.wait()
            #expect(status == 128 + SIGKILL, "kill \(index) (\(job), \(point)): exit \(status)")
            if !temporaryFiles(directory).isEmpty { midWrite += 1 }
            if point != "after-first-rename" {
                #expect(!temporaryFiles(directory).isEmpty, "kill \(index) (\(job), \(point)): no temporary file: not mid-write")
            }

            // Every file is the old or the new complete output; only what the job removes may be missing.
            let effects = KillWorld.effects(of: job)
            var now: [String: Data?] = [:]
            for file in KillWorld.files {
                let current = contents("\(directory)/\(file)")
                now[file] = current
                var allowed: [Data?] = [start[file]]
                if effects[file] == true { allowed.append(world.new[file]) }
                // The job's reports go before its new hand-off file is written, so they may be absent too.
                if effects[file] == true, file == "summary.json" || file == "coverage.json" { allowed.append(nil) }
                if effects[file] == false { allowed.append(nil) }
                #expect(allowed.contains(current), "kill \(index) (\(job)): \(file) is neither old nor new (\(current?.count ?? -1) bytes)")
                if current != start[file] { changedFiles += 1 }
            }
            // Never new inputs paired with old results.
            switch job {
            case "get-predictions":
                if now["predictions.bin"]! == world.new["predictions.bin"] {
                    for file in ["joined.bin", "coverage.json", "metrics.json"] {
                        #expect(now[file]! == nil, "kill \(index): new predictions beside an old \(file)")
                    }
                }
                if now["summary.json"]! == world.new["summary.json"] {
                    #expect(now["predictions.bin"]! == world.new["predictions.bin"], "kill \(index): new summary, old predictions")
                }
            case "load-ground-truth":
                if now["joined.bin"]! == world.new["joined.bin"] {
                    #expect(now["metrics.json"]! == nil, "kill \(index): new joined records beside old metrics")
                }
                if now["coverage.json"]! == world.new["coverage.json"] {
                    #expect(now["joined.bin"]! == world.new["joined.bin"], "kill \(index): new coverage, old joined records")
                }
            default:
                break
            }
            leftovers += temporaryFiles(store).count

            // A re-run, temporary files and all, completes with the reference outputs.
            let again = try await runProductAsync(
                job, ["--period", "0,1", "--data", world.dataB, "--store", store], directory: world.sandbox.root
            )
            #expect(again.status == 0, "re-run after kill \(index) (\(job)): \(again.stderr)")
            for (file, writes) in effects {
                #expect(contents("\(directory)/\(file)") == (writes ? world.new[file] : nil), "re-run after kill \(index) (\(job)): \(file)")
            }
            }
        }
        // Finally the whole chain once more on the last store: byte-identical to the clean run.
        for job in KillWorld.jobs {
            let result = try await runProductAsync(job, ["--period", "0,1", "--data", world.dataB, "--store", store], directory: world.sandbox.root)
            #expect(result.status == 0, "\(result.stderr)")
        }
        for file in KillWorld.files { #expect(contents("\(directory)/\(file)") == world.new[file], "\(file)") }
        #expect(kills == 9 && midWrite >= 6)
        print(
            "kill test: \(kills) SIGKILLs at named points, \(midWrite) left a temporary file (killed mid-write), "
                + "\(changedFiles) files replaced before the kill, \(leftovers) temporary files left in total; data lost: 0"
        )
    }
}

@Suite("Faults: a write failing half-way")
struct HalfDoneWriteTests {
    @Test("get-predictions failing after its predictions are written leaves no stale later outputs beside them")
    func failingSummaryWrite() async throws {
        let sandbox = try baseline.copy(label: "half")
        defer { sandbox.remove() }
        let directory = sandbox.periodDirectory(1)
        // A non-empty folder where summary.json goes: the rename onto it fails after predictions.bin is replaced.
        try FileManager.default.removeItem(atPath: "\(directory)/summary.json")
        try FileManager.default.createDirectory(atPath: "\(directory)/summary.json/blocker", withIntermediateDirectories: true)
        try writeGzip(
            "id,prediction,score\n" + (0..<60).map { "p1-\($0),\(($0 + 1) % 2),0.5" }.joined(separator: "\n") + "\n",
            to: sandbox.predictions(1)
        )
        let result = try await sandbox.run("get-predictions", ["--period", "1,2"])
        expectOneError(result, ["summary.json"])
        for file in ["joined.bin", "coverage.json", "metrics.json"] {
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(file)"), "stale \(file) left beside new predictions")
        }
        // check-model cannot run on the stale pairing: it is told what to run first.
        let check = try await sandbox.run("check-model", ["--period", "1,2"])
        expectOneError(check, ["run load-ground-truth for period 1 first"])
    }
}

/// The inode number of `path`, or 0 when it does not exist.
func inode(_ path: String) -> UInt64 {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
}

/// The state letter of `/proc/PID/stat` (`R`, `S`, `T` stopped, `Z`…), or `nil`.
func processState(_ pid: pid_t) -> Character? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return nil }
    return text[close...].dropFirst(2).first
}
