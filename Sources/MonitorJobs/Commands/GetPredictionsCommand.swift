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

    public func execute() async -> ExitStatus {
        await GetPredictionsStep.run(period: period, context: location.context())
    }
}
