import MonitorJobs

@main
enum CheckModel {
    static func main() async {
        await CheckModelCommand.main()
    }
}
