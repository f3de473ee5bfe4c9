import ArgumentParser
import MonitorJobs

/// The three jobs in one binary, for the CML bundle (one copy of the Swift
/// runtime instead of three): the name it runs under, a link named
/// `get-predictions`, `load-ground-truth` or `check-model`, picks the job.
@main
enum MonitorJob {
    static func main() async {
        let name = CommandLine.arguments.first?.split(separator: "/").last.map(String.init) ?? ""
        switch name {
        case "get-predictions": await GetPredictionsCommand.main()
        case "load-ground-truth": await LoadGroundTruthCommand.main()
        case "check-model": await CheckModelCommand.main()
        default:
            StandardOutput().error(
                "ERROR: monitor-job runs as get-predictions, load-ground-truth or check-model (a link of that name), not as '\(name)'"
            )
            GetPredictionsCommand.exit(withError: ExitCode.failure)
        }
    }
}
