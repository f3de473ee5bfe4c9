import ArgumentParser
import PeriodArgs

/// The get-predictions job's command line (the `@main` of its executable and of `monitor-job`).
public struct GetPredictionsCommand: JobCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get-predictions",
        abstract: "Validates a period's predictions, stores them, and triggers Load Ground Truth.",
        discussion: "Without --period, starts at period 0 of the data set's num_periods."
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
        await GetPredictionsStep.run(period: period, context: location.context())
    }
}
