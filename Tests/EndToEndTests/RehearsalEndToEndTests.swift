import Foundation
import TestSupport
import Testing

/// The Python with ipykernel and jupyter_client that `scripts/test` prepares
/// (`.venv-kernel/`) and exports; without it the rehearsal tests are skipped, visibly.
let kernelPython: String? = ProcessInfo.processInfo.environment["CML_LOCAL_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

/// The sample pipeline rehearsed as CML runs it (`cml-local run --as-cml`):
/// every run through its real entry script (`jobs/cml/*.py`) in a real Jupyter
/// kernel, started by `jobs/local/run_in_kernel.py`, from a directory outside the checkout.
@Suite(
    .enabled(if: kernelPython != nil, "CML_LOCAL_PYTHON is not set (scripts/test sets it to a Python with ipykernel and jupyter_client)"),
    .timeLimit(.minutes(10))
)
struct RehearsalEndToEndTests {
    static let repository = repositoryRoot

    func history(_ store: String) throws -> [LauncherRun] { try launcherHistory(store) }

    /// A minimal environment, as a user's shell would pass on: the kernel's
    /// runtime files go to a `HOME` of the test's own.
    func environment(_ directory: String, _ extra: [String: String] = [:]) throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: "\(directory)/home", withIntermediateDirectories: true)
        return ["PATH": "/usr/bin:/bin", "HOME": "\(directory)/home"].merging(extra) { $1 }
    }

    @Test func theSamplePipelineCompletesInKernels() throws {
        let directory = try makeTemporaryDirectory("rehearsal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The Python from CML_LOCAL_PYTHON, the sample beside the job definitions, the store in the working directory.
        let result = try runProduct(
            "cml-local", ["run", "--as-cml", "--job-env", "MONITOR_ON_DEGRADATION=continue"],
            environment: try environment(directory, ["CML_LOCAL_PYTHON": kernelPython!]), directory: directory
        )
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let root = "\(directory)/state/sample/launcher/rehearsal"
        #expect(result.lines.contains { $0.hasPrefix("cml-local: rehearsing the CML deployment (--as-cml): each run is \(kernelPython!) \(root)/jobs/local/run_in_kernel.py") })
        let runs = try history("\(directory)/state/sample")
        #expect(runs.count == 31)
        #expect(runs.allSatisfy { $0.status == "ENGINE_SUCCEEDED" && $0.exit_code == 0 })
        var expected = [("Get Predictions", "")]
        for c in 0..<10 {
            expected += [("Load Ground Truth", "--period \(c),10"), ("Check Model", "--period \(c),10"), ("Get Predictions", "--period \(c + 1),10")]
        }
        #expect(runs.map(\.job) == expected.map(\.0))
        #expect(runs.map(\.arguments) == expected.map(\.1))
        // The seed's lines, through the kernel's stream output.
        #expect(result.stdout.contains("  [#1 Get Predictions] No parameter provided: defaulting to period 0"))
        #expect(result.stdout.contains("  [#1 Get Predictions] ✓ Triggered job: Load Ground Truth (Period 0/10)"))
        #expect(result.stdout.contains("  [#2 Load Ground Truth] ✓ Extracted period 0 data"))
        #expect(result.stdout.contains("  [#3 Check Model] ✓ Triggered next period: Get Predictions (Period 1/10)"))
        #expect(result.stdout.contains("  [#31 Get Predictions] All periods completed! (Period 10 = Total 10)"))
        #expect(result.stdout.contains("Pipeline completed: 31 runs, all succeeded."))
    }

    @Test func theStopPolicyStopsWithStatus3() throws {
        let directory = try makeTemporaryDirectory("rehearsal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runProduct(
            "cml-local",
            [
                "run", "--as-cml", "--python", kernelPython!, "--data", "\(Self.repository)/data/sample",
                "--store", "\(directory)/store", "--job-env", "MONITOR_ON_DEGRADATION=stop",
            ],
            environment: try environment(directory), directory: directory
        )
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        let runs = try history("\(directory)/store")
        let last = try #require(runs.last)
        #expect(last.job == "Check Model" && last.exit_code == 3 && last.status == "ENGINE_FAILED")
        #expect(runs.dropLast().allSatisfy { $0.status == "ENGINE_SUCCEEDED" })
        // The entry script's exception, reported by the driver, names the job, the status and its meaning.
        #expect(result.stdout.contains("check-model exited 3: model degraded in period"))
        #expect(result.lines.last { !$0.isEmpty }?.hasPrefix("Pipeline STOPPED after \(runs.count) runs: run #\(runs.count) Check Model") == true)
    }
}
