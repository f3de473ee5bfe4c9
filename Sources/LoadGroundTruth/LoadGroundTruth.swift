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

    static func parseCommonCase(_ arguments: [String]) -> Self? {
        guard let common = CommonArguments(arguments, names: CommonArguments.locationNames) else { return nil }
        var command = Self()
        command.period = common.period
        command.location = common.location
        return command
    }

    func execute() async -> ExitStatus {
        await LoadGroundTruthStep.run(period: period, context: location.context())
    }
}
