import MonitorJobs

@main
enum LoadGroundTruth {
    static func main() async {
        await LoadGroundTruthCommand.main()
    }
}
