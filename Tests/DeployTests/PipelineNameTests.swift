import CMLAPI
import Foundation
import JobClient
import Launcher
import Testing
import TestSupport

/// Several pipelines in one CML project: `MONITOR_PIPELINE` suffixes the job names.
@Suite struct PipelineNameTests {
    /// The repository's jobs in pipeline `pipeline`, Get Predictions scheduled daily.
    func definitions(_ pipeline: String) throws -> JobDefinitions {
        var definitions = try repositoryDefinitions()
        for index in definitions.jobs.indices { definitions.jobs[index].environment["MONITOR_PIPELINE"] = pipeline }
        definitions.jobs[0].schedule = "0 6 * * *"
        return definitions
    }

    @Test func twoPipelinesDeploySideBySideAndTriggerOnlyTheirOwnJobs() async throws {
        let server = try await RecordingCML.start()
        _ = try await deploy(server.client(), definitions("churn"))
        _ = try await deploy(server.client(), definitions("fraud"))
        let bases = ["Get Predictions", "Load Ground Truth", "Check Model"]
        #expect(server.cml.jobs.map(\.name) == bases.map { "\($0) [churn]" } + bases.map { "\($0) [fraud]" })
        #expect(server.cml.jobs.map(\.schedule) == ["0 6 * * *", "", "", "0 6 * * *", "", ""])
        #expect(server.cml.jobs.map(\.arguments) == ["--period next", "", "", "--period next", "", ""])
        let again = try await deploy(server.client(), definitions("churn"))
        #expect(again.map(\.action) == [.unchanged, .unchanged, .unchanged])

        // The jobs' own trigger, against a project where the six jobs can run.
        let project = try await RecordingCML.start(
            existing: try definitions("churn").deployed().jobs + definitions("fraud").deployed().jobs
        )
        let root = try makeTemporaryDirectory("pipelines")
        try writeDataSet([PeriodFixture(predictions: [("a", "1", 0.9), ("b", "0", 0.2)], labels: [("a", "1")])], to: "\(root)/data")
        for pipeline in ["churn", "fraud"] {
            let result = try runProduct(
                "get-predictions", ["--period", "0,1", "--data", "\(root)/data", "--store", "\(root)/store-\(pipeline)"],
                environment: [
                    "PATH": "/usr/bin:/bin", "CDSW_API_URL": "http://127.0.0.1:\(project.port)/api/v1",
                    "CDSW_APIV2_KEY": project.token, "CDSW_PROJECT_ID": project.cml.projectID, "MONITOR_PIPELINE": pipeline,
                ]
            )
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("✓ Triggered job: Load Ground Truth [\(pipeline)] (Period 0/1)"))
        }
        let jobs = project.cml.jobs
        let triggered = await project.cml.allRuns().map { run in jobs.first { $0.id == run.jobID }?.name }
        #expect(triggered == ["Load Ground Truth [churn]", "Load Ground Truth [fraud]"])
    }
}
