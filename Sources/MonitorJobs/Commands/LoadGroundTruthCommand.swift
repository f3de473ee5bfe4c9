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

    public func execute() async -> ExitStatus {
        await LoadGroundTruthStep.run(period: period, context: location.context())
    }
}
