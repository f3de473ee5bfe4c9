import ArgumentParser
import MonitorJobs
import PeriodArgs

@main
struct LoadGroundTruth: JobCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-ground-truth",
        abstract: "Joins a period's labels to its stored predictions, and triggers Check Model."
    )

    @OptionGroup var period: PeriodOption
    @OptionGroup var location: LocationOptions

    func execute() async -> ExitStatus {
        await LoadGroundTruthStep.run(period: period, context: location.context())
    }
}
