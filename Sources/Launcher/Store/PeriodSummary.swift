import Foundation
import MonitorStore
import PeriodArgs

/// The end-of-pipeline table, one row per period, from `STORE/periods/NNNN/metrics.json`.
///
/// The periods are `0 ..< T`, `T` taken from the runs' `--period C,T`
/// arguments (else `--period`, else the period directories in the store).
struct PeriodSummary {
    let store: LauncherStore
    let runs: [RunHistoryEntry]
    let period: Period?

    func periods() -> [Int] {
        var total = period?.total
        for run in runs {
            let words = run.arguments.split(whereSeparator: \.isWhitespace)
            for (index, word) in words.enumerated() where word == "--period" && index + 1 < words.count {
                if let parsed = try? Period(parsing: String(words[index + 1])) {
                    total = max(total ?? 0, parsed.total)
                }
            }
        }
        if let total { return Array(0..<total) }
        return store.store.periodsOnDisk()
    }

    func lines() -> [String] {
        let periods = periods()
        guard !periods.isEmpty else { return ["Summary: no period known (no run had --period C,T)."] }
        var lines = ["Summary (\(store.root)/periods/NNNN/metrics.json):"]
        let header = ["period", "accuracy", "labeled", "decision", "degraded"]
        var rows: [[String]] = []
        for period in periods {
            switch store.metrics(period: period) {
            case nil:
                rows.append([String(period), "-", "-", "-", "-"])
            case .failure:
                rows.append([String(period), "?", "?", "unreadable", "?"])
            case .success(let metrics):
                rows.append([
                    String(period),
                    metrics.accuracy.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a",
                    String(metrics.labeled),
                    metrics.decision,
                    metrics.degraded ? "yes" : "no",
                ])
            }
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func format(_ row: [String]) -> String {
            "  " + row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 3 ? cell + pad : pad + cell  // text left, numbers right
            }.joined(separator: "  ")
        }
        lines.append(format(header))
        lines += rows.map(format)
        return lines
    }
}
