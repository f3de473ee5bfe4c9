import ArgumentParser
import MonitorJobs

@main
struct LoadGroundTruth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load-ground-truth")
    func run() async throws {}
}
