import MonitorJobs

@main
enum GetPredictions {
    static func main() async {
        await GetPredictionsCommand.main()
    }
}
