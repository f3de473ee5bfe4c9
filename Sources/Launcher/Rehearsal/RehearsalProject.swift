import Foundation

/// The project a rehearsal (``Rehearsal``) runs its jobs in, laid out as the
/// CML bundle of `scripts/package-cml` is on CML:
///
/// ```
/// ROOT/bin/<executable>            each job's binary, hard-linked (copied across file systems)
/// ROOT/jobs/jobs.json              the job definitions the launcher uses
/// ROOT/jobs/cml/*.py, jobs/local/*.py   from the source project, without test_*.py
/// ROOT/data/<name>                 a symbolic link to the data set
/// ```
///
/// ROOT is `STORE/launcher/rehearsal`, emptied and assembled again at each
/// rehearsal: beside the runs' logs it can be inspected after a failure (and
/// a run repeated by hand in it), the store's lock keeps a second launcher
/// out of it, and it never piles up in a temporary folder.
struct RehearsalProject: Sendable {
    /// The project root, absolute: each run's working directory.
    let root: String
    /// The Python that runs the driver.
    let python: String
    /// The driver, absolute.
    let driver: String
    /// The data set inside the project (`ROOT/data/<name>`), given to the jobs as `MONITOR_DATA_DIR`.
    let dataDirectory: String

    /// Assembles the project at `root`, replacing what is there.
    ///
    /// - Parameters:
    ///   - executables: each job's resolved executable, by job name.
    ///   - jobsFile: the definitions file to copy; `nil` writes `definitions` instead.
    ///   - dataDirectory: the data set, absolute.
    /// - Throws: ``LauncherError`` `.rehearsal` naming the file at fault.
    static func assemble(
        _ rehearsal: Rehearsal, at root: String, definitions: JobDefinitions, jobsFile: String?,
        executables: [String: String], dataDirectory: String
    ) throws(LauncherError) -> RehearsalProject {
        let files = FileManager.default
        let source = rehearsal.sourceRoot
        func fail(_ what: String, _ error: any Error) -> LauncherError {
            LauncherError(.rehearsal, "--as-cml: cannot \(what): \(error.localizedDescription)")
        }
        do {
            // The links to earlier data sets go first, one by one: removing the
            // folder must never reach into a data set.
            for name in (try? files.contentsOfDirectory(atPath: "\(root)/data")) ?? [] {
                unlink("\(root)/data/\(name)")
            }
            if files.fileExists(atPath: root) { try files.removeItem(atPath: root) }
            for folder in ["bin", "jobs", "data"] {
                try files.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
            }
        } catch {
            throw fail("prepare the rehearsal project \(root)", error)
        }

        // bin/: the binaries just built, under the names the entry scripts run.
        var placed: [String: String] = [:]  // file name in bin/ → executable
        for job in definitions.jobs {
            guard let executable = executables[job.name] else { continue }
            let name = (executable as NSString).lastPathComponent
            if let other = placed[name] {
                guard other == executable else {
                    throw LauncherError(
                        .rehearsal, "--as-cml: two executables would both be bin/\(name): \(other) and \(executable)"
                    )
                }
                continue
            }
            let target = "\(root)/bin/\(name)"
            do {
                do { try files.linkItem(atPath: executable, toPath: target) } catch {
                    try files.copyItem(atPath: executable, toPath: target)  // another file system
                }
            } catch {
                throw fail("place \(executable) in \(root)/bin", error)
            }
            placed[name] = executable
        }

        // jobs/: the definitions, the entry scripts and the driver.
        do {
            let target = "\(root)/\(ProjectRoot.jobsFileName)"
            if let jobsFile {
                try files.copyItem(atPath: jobsFile, toPath: target)
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try encoder.encode(definitions).write(to: URL(fileURLWithPath: target))
            }
        } catch {
            throw fail("write \(root)/\(ProjectRoot.jobsFileName)", error)
        }
        for folder in ["jobs/cml", "jobs/local"] {
            let names = (try? files.contentsOfDirectory(atPath: "\(source)/\(folder)")) ?? []
            for name in names.sorted() where name.hasSuffix(".py") && !name.hasPrefix("test_") {
                try copy("\(folder)/\(name)", from: source, to: root)
            }
        }
        for job in definitions.jobs {
            guard !job.script.isEmpty else {
                throw LauncherError(
                    .rehearsal, "--as-cml: job '\(job.name)' has no script in its definition; a CML job runs its entry script"
                )
            }
            guard !job.script.hasPrefix("/"), !job.script.split(separator: "/").contains("..") else {
                throw LauncherError(
                    .rehearsal, "--as-cml: job '\(job.name)': script '\(job.script)' must be a path inside the project"
                )
            }
            let target = "\(root)/\(job.script)"
            if files.fileExists(atPath: target) { continue }
            guard files.fileExists(atPath: "\(source)/\(job.script)") else {
                throw LauncherError(
                    .rehearsal, "--as-cml: job '\(job.name)': its entry script \(job.script) is not in \(source)"
                )
            }
            try copy(job.script, from: source, to: root)
        }
        guard files.fileExists(atPath: "\(root)/\(rehearsal.driver)") else {
            throw LauncherError(
                .rehearsal, "--as-cml: no kernel driver \(rehearsal.driver) in \(source) (it runs each entry script in a Jupyter kernel)"
            )
        }

        // data/<name>: the data set, where the bundle keeps its own.
        var name = (dataDirectory as NSString).lastPathComponent
        if name.isEmpty || name == "/" { name = "data" }
        let data = "\(root)/data/\(name)"
        do {
            try files.createSymbolicLink(atPath: data, withDestinationPath: dataDirectory)
        } catch {
            throw fail("link \(data) to \(dataDirectory)", error)
        }
        return RehearsalProject(root: root, python: rehearsal.python, driver: "\(root)/\(rehearsal.driver)", dataDirectory: data)
    }

    private static func copy(_ relative: String, from source: String, to root: String) throws(LauncherError) {
        let target = "\(root)/\(relative)"
        do {
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true
            )
            try FileManager.default.copyItem(atPath: "\(source)/\(relative)", toPath: target)
        } catch {
            throw LauncherError(.rehearsal, "--as-cml: cannot copy \(source)/\(relative) to \(root): \(error.localizedDescription)")
        }
    }
}
