import ArgumentParser
import PeriodArgs

/// The load-ground-truth job's command line (the `@main` of its executable and of `monitor-job`).
public struct LoadGroundTruthCommand: JobCommand {
    public static let configuration = CommandConfiguration(
        commandName: "load-ground-truth",
        abstract: "Joins a period's labels to its stored predictions, and triggers Check Model."
    )

    public init() {}

    @OptionGroup var period: PeriodOption
    @OptionGroup var location: LocationOptions

    public static func parseCommonCase(_ arguments: [String]) -> Self? {
        guard let common = CommonArguments(arguments, names: CommonArguments.locationNames) else { return nil }
        var command = Self()
        command.period = common.period
        command.location = common.location
        return command
    }

    public func execute() async -> ExitStatus {
        await LoadGroundTruthStep.run(period: period, context: location.context())
    }
}
