import Foundation
import Platform
import TestSupport
import Testing

@Suite("Faults: a full disk, a killed launcher", .serialized)
struct DiskAndLauncherFaultTests {
    /// 100,000 rows: predictions.bin is about 2.4 MB.
    static func bigSandbox() throws -> Sandbox {
        try Sandbox.make([generatedPeriod(period: 0, rows: 100_000, seed: 77)], label: "disk")
    }

    func expectCleanFailure(_ result: ProcessResult, store: String, cause: String, _ label: String) {
        expectOneError(result, ["predictions.bin", cause], label)
        #expect(!FileManager.default.fileExists(atPath: "\(store)/periods/0000/predictions.bin"), "\(label)")
        #expect(temporaryFiles(store).isEmpty, "\(label): \(temporaryFiles(store))")
    }

    /// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN; CI containers usually not).
    static let canMountTmpfs: Bool = {
        guard let point = try? makeTemporaryDirectory("mount-probe") else { return false }
        defer { try? FileManager.default.removeItem(atPath: point) }
        guard let mount = try? runExecutable("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", point]), mount.status == 0 else {
            return false
        }
        _ = try? runExecutable("/bin/umount", [point])
        return true
    }()

    @Test(
        "a store on a full file system (tmpfs of 512 KiB): one ERROR line, exit 1, no partial file",
        .enabled(if: canMountTmpfs, "mounting a tmpfs needs CAP_SYS_ADMIN; the RLIMIT_FSIZE test covers a full disk everywhere")
    )
    func fullTmpfs() async throws {
        let sandbox = try Self.bigSandbox()
        defer { sandbox.remove() }
        let mountPoint = "\(sandbox.root)/tiny"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try await runExecutableAsync("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint])
        try #require(mount.status == 0, "\(mount.stderr)")
        defer { _ = try? runExecutable("/bin/umount", [mountPoint]) }
        let store = "\(mountPoint)/store"
        let result = try await runProductAsync(
            "get-predictions", ["--period", "0,1", "--data", sandbox.data, "--store", store], directory: sandbox.root
        )
        expectCleanFailure(result, store: store, cause: "No space left on device", "tmpfs")
    }

    @Test("a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored): one ERROR line, exit 1, no partial file")
    func fileSizeLimit() async throws {
        let sandbox = try Self.bigSandbox()
        defer { sandbox.remove() }
        // POSIX sh counts ulimit -f in 512-byte blocks: 256 KiB. An ignored signal stays ignored across exec.
        let result = try await runExecutableAsync(
            "/bin/sh",
            [
                "-c", "trap '' XFSZ; ulimit -f 512; exec \"$0\" \"$@\"", "\(executablesDirectory())/get-predictions",
                "--period", "0,1", "--data", sandbox.data, "--store", sandbox.store,
            ],
            directory: sandbox.root
        )
        expectCleanFailure(result, store: sandbox.store, cause: "File too large", "RLIMIT_FSIZE")
    }

    @Test("cml-local killed (SIGKILL) mid-pipeline and started again with --period C,T completes like an uninterrupted run")
    func killedLauncher() async throws {
        let periods = 5
        let sandbox = try Sandbox.make((0..<periods).map { generatedPeriod(period: $0, rows: 4000, seed: UInt64(300 + $0)) }, label: "cmlkill")
        defer { sandbox.remove() }
        try writeJobsFile(to: "\(sandbox.root)/jobs.json")
        let reference = "\(sandbox.root)/reference"
        let clean = try await runLauncher(["--jobs", "jobs.json", "--data", sandbox.data, "--store", reference], in: sandbox.root)
        try #require(clean.status == 0, "\(clean.stdout)")

        var rng = SeededGenerator(seed: 0xC0FFEE)
        let store = sandbox.store
        var kills = 0
        var next: (Int, Int)? = nil  // --period of the next start; nil: from the beginning
        var starts = 0
        while true {
            starts += 1
            try #require(starts <= 12, "the pipeline does not finish")
            var arguments = ["run", "--jobs", "jobs.json", "--data", sandbox.data, "--store", store]
            if let (current, total) = next { arguments += ["--period", "\(current),\(total)"] }
            let launcher = try Spawned(
                "\(executablesDirectory())/cml-local", arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": sandbox.root],
                directory: sandbox.root, logs: "\(sandbox.root)/launcher-\(starts)"
            )
            if kills < 3 {
                // Kill once some period beyond the first of this start has begun, plus a random few milliseconds.
                let first = next?.0 ?? 0
                let target = min(periods - 1, first + Int.random(in: 0...1, using: &rng))
                let file = ["predictions.bin", "joined.bin", "metrics.json"].randomElement(using: &rng)!
                await waitUntil(timeout: .seconds(60)) {
                    FileManager.default.fileExists(atPath: "\(sandbox.periodDirectory(target))/\(file)") || !launcher.process.isRunning
                }
                try await Task.sleep(for: .microseconds(UInt32.random(in: 0..<30_000, using: &rng)))
                if launcher.process.isRunning {
                    launcher.kill()
                    kills += 1
                }
                await launcher.wait()
                // The killed launcher's runs live on in their own process groups; they fail to
                // trigger (the API is gone) and end. Wait for them, so the next start has the store alone.
                let orphansGone = await waitUntil(timeout: .seconds(30)) {
                    processes(withEnvironment: "MONITOR_STORE_DIR=\(store)").isEmpty
                }
                #expect(orphansGone)
                for pid in processes(withEnvironment: "MONITOR_STORE_DIR=\(store)") { Glibc.kill(pid, SIGKILL) }
            } else {
                let status = await launcher.wait()
                #expect(status == 0, "\(launcher.stdout)")
                break
            }
            // Resume from the first period without metrics.
            let done = (0..<periods).prefix { FileManager.default.fileExists(atPath: "\(sandbox.periodDirectory($0))/metrics.json") }.count
            if done == periods { break }
            next = (done, periods)
        }
        #expect(kills >= 1)
        for period in 0..<periods {
            let directory = sandbox.periodDirectory(period)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            #expect(names.filter { $0.contains("metrics") } == ["metrics.json"], "period \(period): \(names)")
            #expect(
                contents("\(directory)/metrics.json") == contents("\(reference)/periods/\(String(format: "%04d", period))/metrics.json"),
                "period \(period): metrics differ from the uninterrupted run"
            )
        }
        #expect(temporaryFiles(store).isEmpty, "\(temporaryFiles(store))")
        print("launcher kill test: \(kills) SIGKILLs of cml-local, \(starts) starts, every period's metrics identical")
    }
}
