import ArgumentParser
import Foundation
import Launcher
import MonitorData
import MonitorReport
import MonitorStore

extension CMLLocal {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes the store's results as one self-contained HTML file (charts, tables, run history).",
            discussion: "cml-local run writes the same report to STORE/report.html at its end."
        )

        @Option(help: "The store directory (default: $MONITOR_STORE_DIR, else state/<data set name>, as for run).")
        var store: String?

        @Option(
            help: "The data set directory, for its name and the default store (default: $MONITOR_DATA_DIR, else data/sample beside the job definitions, as for run)."
        )
        var data: String?

        @Option(
            help: ArgumentHelp(
                "The HTML file to write, - for standard output (default: STORE/report.html). "
                    + "A FIFO, a device or a symbolic link is written into, never replaced.",
                valueName: "file"
            )
        )
        var out: String?

        func run() throws {
            let shell = ProcessInfo.processInfo.environment
            // --data or MONITOR_DATA_DIR: a data set named, whose name the report takes even with a store named.
            let named = LauncherOptions.dataDirectory(data, environment: shell, root: nil)
            var options = LauncherOptions(jobs: JobDefinitions(jobs: []))
            options.dataDirectory = named ?? ProjectRoot.besideCurrentExecutable()?.sampleData
            options.storeDirectory = LauncherOptions.storeDirectory(store, environment: shell)
            let root: String
            do { root = try options.resolveStoreDirectory() } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            guard FileManager.default.fileExists(atPath: root) else {
                printError("ERROR: \(root): the store does not exist: run the pipeline first, or name it with --store")
                throw ExitCode.failure
            }
            let name = options.storeDirectory == nil || named != nil
                ? try? DataSet(directory: options.resolvedDataDirectory).metadata.name : nil
            let history = LauncherStore(root: root).historyFile
            do {
                if let out, out == "-" || FileSystem.isStandardOutput(out) {
                    try MonitorReport.Report.writeToStandardOutput(store: Store(root: root), runHistory: history, name: name)
                } else {
                    // Not LauncherOptions.absolute: it resolves symbolic links, and a link is written through, not replaced.
                    let path = out.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
                    print("Report: \(try MonitorReport.Report.write(store: Store(root: root), runHistory: history, name: name, to: path))")
                }
            } catch {
                printError("ERROR: \(error.description)")
                throw ExitCode.failure
            }
        }
    }
}
