import ArgumentParser
import Launcher

@main
struct CMLLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cml-local",
        abstract: "Runs the pipeline locally, standing in for CML."
    )
    func run() async throws {}
}
