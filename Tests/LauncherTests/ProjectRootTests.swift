import Foundation
import Launcher
import Testing

@Suite("Where cml-local finds the project")
struct ProjectRootTests {
    @Test("the nearest folder above that holds jobs/jobs.json; none is nil and an error naming where it looked")
    func search() throws {
        let directory = NSTemporaryDirectory() + "project-root-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/checkout/jobs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/checkout/.build/x86_64-unknown-linux-gnu/release", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/bundle/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/bundle/jobs", withIntermediateDirectories: true)
        try "{}".write(toFile: directory + "/checkout/jobs/jobs.json", atomically: true, encoding: .utf8)
        try "{}".write(toFile: directory + "/bundle/jobs/jobs.json", atomically: true, encoding: .utf8)

        let checkout = ProjectRoot.find(from: directory + "/checkout/.build/x86_64-unknown-linux-gnu/release")
        #expect(checkout?.path == directory + "/checkout")
        #expect(checkout?.jobsFile == directory + "/checkout/jobs/jobs.json")
        #expect(checkout?.sampleData == directory + "/checkout/data/sample")
        #expect(ProjectRoot.find(from: directory + "/bundle/bin")?.path == directory + "/bundle")
        // Above the temporary folder there is no project (or the same one as for the folder itself).
        #expect(ProjectRoot.find(from: directory) == ProjectRoot.find(from: NSTemporaryDirectory()))
        #expect(
            ProjectRoot.notFound(from: "/opt/x/bin").description
                == "ERROR: cannot find the job definitions: no jobs/jobs.json in /opt/x/bin (cml-local's folder) or any folder "
                + "above it; run the cml-local of a checkout or of the CML bundle (bin/ beside jobs/ and data/), or give the file with --jobs FILE"
        )
    }
}
