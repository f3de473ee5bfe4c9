import Foundation
import TestSupport
import Testing

/// get-predictions (the job under test; it triggers Load Ground Truth) against
/// a server that answers as a real CML workspace does.
private func triggerLoadGroundTruth(_ server: WireCML, extra: [String: String] = [:]) async throws -> ProcessResult {
    let sandbox = try Sandbox.make([generatedPeriod(period: 0, rows: 40, seed: 3)], label: "wire")
    defer { sandbox.remove() }
    var environment = ["PATH": "/usr/bin:/bin", "MONITOR_API_TIMEOUT": "5"].merging(server.environment) { $1 }
    environment.merge(extra) { $1 }
    let result = try await runJobDetached(
        "get-predictions", ["--period", "0,1", "--data", sandbox.data, "--store", sandbox.store],
        environment: environment, directory: sandbox.root
    )
    return result
}

@Suite("A real CML server's answers: wire format, lost answers, one run per trigger", .serialized)
struct LostAnswerTests {
    @Test(
        "int64 as strings, zero values left out, decoys, pages of one, 503s and a lost create answer: exactly one run",
        arguments: WireCML.CreateFault.allCases, ["socket", "curl"]
    )
    func oneRunPerTrigger(fault: WireCML.CreateFault, transport: String) async throws {
        let server = try WireCML.start(transient503: 2, createFault: fault)
        let result = try await triggerLoadGroundTruth(server, extra: transport == "curl" ? ["MONITOR_HTTP_TRANSPORT": "curl"] : [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let runs = server.runs
        #expect(runs.count == 1)
        #expect(runs.first?.jobID == "ldgt-0000-0000-0002")
        #expect(runs.first?.arguments == "--period 0,1")
        #expect(result.lines.contains("✓ Triggered job: Load Ground Truth (Period 0/1)"))
        #expect(result.lines.contains("  Job run ID: \(runs.first?.id ?? "?")"))
        #expect(!result.stdout.contains(WireCML.key) && !result.stderr.contains(WireCML.key))
        let posts = server.requests.filter { $0.hasPrefix("POST ") }.count
        let looks = server.requests.filter { $0.hasPrefix("GET ") && $0.contains("/runs?sort=-created_at") }.count
        switch fault {
        case .none: #expect(posts == 1 && looks == 0)
        case .dropAfterCreating, .gatewayTimeoutAfterCreating: #expect(posts == 1 && looks == 1)  // adopted, not re-sent
        case .gatewayTimeoutWithoutCreating: #expect(posts == 2 && looks == 1)  // looked, found none, sent again
        }
    }

    @Test("a trigger id the job inherited is not reused: each trigger has its own")
    func inheritedTriggerIDIgnored() async throws {
        let server = try WireCML.start()
        let result = try await triggerLoadGroundTruth(server, extra: ["MONITOR_TRIGGER_ID": "inherited-from-my-own-run"])
        #expect(result.status == 0, "\(result.stderr)")
        let id = server.runs.first?.environment["MONITOR_TRIGGER_ID"] ?? ""
        #expect(!id.isEmpty && id != "inherited-from-my-own-run")
    }

    @Test("a server that does not echo run environments: said once, then the request is sent again")
    func noEcho() async throws {
        let server = try WireCML.start(createFault: .gatewayTimeoutWithoutCreating, echoesEnvironment: false)
        server.seedRun(jobID: "ldgt-0000-0000-0002", arguments: "--period 7,9")  // a run made by hand earlier
        let result = try await triggerLoadGroundTruth(server)
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderr.split(separator: "\n").filter { $0.hasPrefix("WARNING: ") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("MONITOR_TRIGGER_ID") == true)
        #expect(server.runs.map(\.arguments) == ["--period 7,9", "--period 0,1"])
    }

    @Test("a listing that leaves out the run's arguments still finds it by its trigger id: one run")
    func adoptedWithoutArguments() async throws {
        let server = try WireCML.start(createFault: .gatewayTimeoutAfterCreating, echoesArguments: false)
        let result = try await triggerLoadGroundTruth(server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.runs.count == 1)
    }

    @Test("the run found only by the last look after every other look failed: exit 0, one run")
    func foundByTheLastLook() async throws {
        // 5 attempts: the POST (504 after making the run), then 4 failing looks; the last look finds it.
        let server = try WireCML.start(createFault: .gatewayTimeoutAfterCreating, failingLooks: 4)
        let result = try await triggerLoadGroundTruth(server)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.runs.count == 1)
        #expect(result.lines.contains("  Job run ID: run-1"))
    }

    @Test("no look ever succeeds: exit 1 saying a run may still appear, and check before resuming; still one run")
    func mayStillAppear() async throws {
        let server = try WireCML.start(createFault: .gatewayTimeoutAfterCreating, failingLooks: 100)
        let result = try await triggerLoadGroundTruth(server)
        expectOneError(result, ["A run may still appear", "MONITOR_TRIGGER_ID=", "once you have checked that no such run exists"])
        #expect(server.runs.count == 1)
        #expect(server.requests.filter { $0.hasPrefix("POST ") }.count == 1)
    }
}
