import Platform

/// Rewrites `STORE/report.html` after a check, so that a CML user finds it
/// current in the project's files.
///
/// It runs `cml-local report` from beside this executable (the checkout's
/// build folder, the bundle's `bin/`) rather than linking the report writer:
/// that pulls in full Foundation, which would slow the start of every job
/// run (all three jobs are one binary in the bundle), not only this one.
/// A failure is a warning, never the job's.
///
/// A report costs time in the number of periods, so a chain that runs faster
/// than one period a minute refreshes it at most once a minute, and always
/// when the chain ends (the last period, a stop, a check without trigger).
enum ReportRefresh {
    /// The least time between two refreshes within a chain.
    static let interval: time_t = 60

    /// Whether `STORE/report.html` is missing or older than ``interval``.
    static func isDue(store: String, now: time_t = time(nil)) -> Bool {
        var info = stat()
        guard stat(store + "/report.html", &info) == 0 else { return true }
        return now - info.st_mtim.tv_sec >= interval
    }

    static func run(store: String, data: String, output: any JobOutput) {
        guard let launcher = launcherPath() else {
            output.error("WARNING: the report was not refreshed: no cml-local beside this executable")
            return
        }
        let arguments = [launcher, "report", "--store", store, "--data", data]
        var pid = pid_t()
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, launcher, nil, nil, argv, environ)
        guard status == 0 else {
            output.error("WARNING: the report was not refreshed: cannot start \(launcher) (error \(status))")
            return
        }
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) < 0, errno == EINTR {}
        if exit != 0 { output.error("WARNING: the report was not refreshed: \(launcher) report failed (status \(exit))") }
    }

    /// `cml-local` in the folder of this process's executable, if it is there.
    static func launcherPath() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        var path = String(decoding: buffer[..<count], as: UTF8.self)
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        path = String(path[..<slash]) + "/cml-local"
        return access(path, X_OK) == 0 ? path : nil
    }
}
