import Foundation
import Launcher
import Testing
import TestSupport

/// Runs `cml-local` off the cooperative pool (the test process serves the API it talks to).
func cmlLocal(_ arguments: [String], environment: [String: String], directory: String? = nil) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProduct("cml-local", arguments, environment: environment, directory: directory) })
        }
    }
}

@Suite("the cml-local deploy command")
struct DeployCommandTests {
    static let key = "sk-PLANTED-KEY-123"
    static let jobsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("jobs/jobs.json").path

    static func environment(_ server: RecordingCML, key: String = key, url: String? = nil) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "CDSW_APIV2_KEY": key,
            "CDSW_API_URL": url ?? "http://127.0.0.1:\(server.port)/api/v1", "CDSW_PROJECT_ID": server.cml.projectID,
        ]
    }

    @Test("dry run, deploy, deploy again: the planted key appears in no output")
    func dryRunThenDeployTwice() async throws {
        let server = try await RecordingCML.start(token: Self.key)
        var outputs: [String] = []

        // --api-url overrides a wrong CDSW_API_URL.
        let dry = try await cmlLocal(
            ["deploy", "--dry-run", "--jobs", Self.jobsFile, "--runtime-identifier", "rt:1", "--api-url", "http://127.0.0.1:\(server.port)"],
            environment: Self.environment(server, url: "http://127.0.0.1:9/api/v1")
        )
        outputs += [dry.stdout, dry.stderr]
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("(dry run): 3 jobs from \(Self.jobsFile) to project \(server.cml.projectID)"))
        #expect(dry.stdout.contains("would create 'Check Model'"))
        #expect(dry.stdout.contains("Authorization: Bearer <redacted>"))
        #expect(dry.stdout.contains(#""runtime_identifier":"rt:1""#))
        #expect(dry.stdout.contains("dry run: 3 to create, 0 to update, 0 to recreate, 0 unchanged; only GET requests were sent"))
        #expect(server.log.all.allSatisfy { $0.hasPrefix("GET ") })
        #expect(server.cml.jobs.isEmpty)

        let first = try await cmlLocal(["deploy", "--jobs", Self.jobsFile, "--runtime-identifier", "rt:1"], environment: Self.environment(server))
        outputs += [first.stdout, first.stderr]
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.filter { $0.hasPrefix("created   '") }.count == 3)
        #expect(first.stdout.contains("deployed: 3 created, 0 updated, 0 recreated, 0 unchanged"))
        #expect(server.cml.jobs.count == 3)

        let second = try await cmlLocal(["deploy", "--jobs", Self.jobsFile, "--runtime-identifier", "rt:1"], environment: Self.environment(server))
        outputs += [second.stdout, second.stderr]
        #expect(second.status == 0)
        #expect(second.stdout.contains("deployed: 0 created, 0 updated, 0 recreated, 3 unchanged"))
        #expect(server.cml.jobs.count == 3)

        let wrongKey = try await cmlLocal(
            ["deploy", "--jobs", Self.jobsFile, "--runtime-identifier", "rt:1"], environment: Self.environment(server, key: Self.key + "-OLD"))
        outputs += [wrongKey.stdout, wrongKey.stderr]
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("HTTP 401"))

        for output in outputs { #expect(!output.contains(Self.key), "\(output)") }
    }

    @Test("without --jobs, from any folder: the job definitions beside cml-local's binary")
    func jobsBesideTheBinary() async throws {
        let server = try await RecordingCML.start(token: Self.key)
        let elsewhere = try makeTemporaryDirectory("deploy")
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let dry = try await cmlLocal(
            ["deploy", "--dry-run", "--runtime-identifier", "rt:1"], environment: Self.environment(server), directory: elsewhere
        )
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("(dry run): 3 jobs from \(Self.jobsFile) to project \(server.cml.projectID)"))
    }

    @Test("without the platform variables or with some missing: a clear error, exit 1")
    func configuration() async throws {
        let none = try await cmlLocal(["deploy", "--jobs", Self.jobsFile], environment: ["PATH": "/usr/bin:/bin"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("deploy needs the CML API: set CDSW_APIV2_KEY"))

        let noKey = try await cmlLocal(
            ["deploy", "--jobs", Self.jobsFile, "--api-url", "https://ml.example.com/api/v1", "--project", "abcd-efgh-ijkl-mnop"],
            environment: ["PATH": "/usr/bin:/bin"]
        )
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("CDSW_APIV2_KEY missing"))
    }
}
