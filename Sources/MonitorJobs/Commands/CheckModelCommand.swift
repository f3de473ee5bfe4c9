import ArgumentParser
import PeriodArgs

/// The check-model job's command line (the `@main` of its executable and of `monitor-job`).
public struct CheckModelCommand: JobCommand {
    public static let configuration = CommandConfiguration(
        commandName: "check-model",
        abstract: "Computes a period's metrics, judges degradation, and triggers the next period or stops.",
        discussion: "Exit status: 0 success, 1 failure, 3 model degraded (pipeline stopped)."
    )

    public init() {}

    @OptionGroup var period: PeriodOption
    @OptionGroup var location: LocationOptions
    @OptionGroup var degradation: DegradationOptions

    @Flag(
        name: .customLong("no-trigger"),
        help: "Recheck the period: join its labels again, recompute its metrics, print them beside those recorded, trigger nothing."
    )
    var noTrigger = false

    public func execute() async -> ExitStatus {
        await CheckModelStep.run(period: period, degradation: degradation, context: location.context(), recheck: noTrigger)
    }
}
