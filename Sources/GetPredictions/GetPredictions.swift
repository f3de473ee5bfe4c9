import ArgumentParser
import MonitorJobs

@main
struct GetPredictions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-predictions")
    func run() async throws {}
}
