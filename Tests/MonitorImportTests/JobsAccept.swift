import Foundation
import MonitorData
import MonitorImport
import TestSupport
import Testing

/// Runs ``Importer/run(_:)``, then checks that the jobs accept what it wrote.
func importChecked(_ options: ImportOptions, sourceLocation: SourceLocation = #_sourceLocation) throws -> ImportSummary {
    let summary = try Importer.run(options)
    try expectJobsAccept(options.outputDirectory, sourceLocation: sourceLocation)
    return summary
}

/// Runs the built `get-predictions` and `load-ground-truth` (standalone: no
/// `CDSW_*` variables, the default store in a scratch folder) on every period
/// of the data set in `directory`, expecting exit 0.
func expectJobsAccept(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let total = try DataSet(directory: directory).metadata.numPeriods
    let work = try makeTemporaryDirectory("jobs")
    defer { try? FileManager.default.removeItem(atPath: work) }
    for period in 0..<total {
        for job in ["get-predictions", "load-ground-truth"] {
            let result = try runProduct(job, ["--data", directory, "--period", "\(period),\(total)"], directory: work)
            #expect(
                result.status == 0, "\(job) --period \(period),\(total) on \(directory): \(result.stderr)",
                sourceLocation: sourceLocation)
        }
    }
}

/// `cml-local import ARGUMENTS` run in `directory`.
func runImport(_ arguments: [String], in directory: String) throws -> ProcessResult {
    try runProduct("cml-local", ["import"] + arguments, directory: directory)
}

/// What a failed command must look like: exit 1 and one `ERROR:` line on stderr.
func expectOneErrorLine(_ result: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 1, sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("ERROR: "), "\(result.stderr)", sourceLocation: sourceLocation)
}
