import ArgumentParser
import MonitorJobs

@main
struct CheckModel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-model")
    func run() async throws {}
}
