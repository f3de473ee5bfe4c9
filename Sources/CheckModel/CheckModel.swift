import ArgumentParser
import MonitorJobs
import PeriodArgs

@main
struct CheckModel: JobCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-model",
        abstract: "Computes a period's metrics, judges degradation, and triggers the next period or stops.",
        discussion: "Exit status: 0 success, 1 failure, 3 model degraded (pipeline stopped)."
    )

    @OptionGroup var period: PeriodOption
    @OptionGroup var location: LocationOptions
    @OptionGroup var degradation: DegradationOptions

    static func parseCommonCase(_ arguments: [String]) -> Self? {
        guard let common = CommonArguments(arguments, names: CommonArguments.locationNames + CommonArguments.degradationNames) else { return nil }
        var command = Self()
        command.period = common.period
        command.location = common.location
        command.degradation = common.degradation
        return command
    }

    func execute() async -> ExitStatus {
        await CheckModelStep.run(period: period, degradation: degradation, context: location.context())
    }
}
