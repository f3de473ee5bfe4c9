import Foundation
import MonitorPolicy
import MonitorStore
import PeriodArgs
import Platform

/// The end-of-pipeline table, one row per period, from `STORE/periods/NNNN/metrics.json`.
///
/// The periods are `0 ..< T`, `T` taken from the runs' `--period C,T`
/// arguments (else `--period`, else the period directories in the store).
///
/// Under the table, a sparkline of accuracy per period (`▁…█` scaled from the
/// lowest to the highest accuracy, `·` for n/a, a space for an unchecked
/// period). With `color` (a terminal, `NO_COLOR` unset), degraded rows and
/// their sparkline bars are red and the others green.
struct PeriodSummary {
    let store: LauncherStore
    /// `T`, from the launcher's `--period` and its runs' arguments; `nil`: the periods on disk.
    let total: Int?
    var color = false

    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let red = "\u{1B}[31m", green = "\u{1B}[32m", reset = "\u{1B}[0m"

    /// One character per period: `nil` = not checked, `.some(nil)` = accuracy n/a.
    static func sparkline(_ values: [Double??], degraded: [Bool] = [], color: Bool = false) -> String {
        let defined = values.compactMap { $0 ?? nil }
        let low = defined.min() ?? 0, high = defined.max() ?? 0
        var line = ""
        for (index, value) in values.enumerated() {
            let character: Character
            switch value {
            case nil: character = " "
            case .some(nil): character = "·"
            case .some(.some(let accuracy)):
                let level = high > low ? Int(((accuracy - low) / (high - low) * 7).rounded()) : 3
                character = bars[min(max(level, 0), 7)]
            }
            let isDegraded = index < degraded.count && degraded[index]
            if color, case .some(.some) = value {
                line += (isDegraded ? red : green) + String(character) + reset
            } else {
                line.append(character)
            }
        }
        return line
    }

    func periods() -> [Int] {
        if let total { return Array(0..<total) }
        return store.store.periodsOnDisk()
    }

    func lines() -> [String] {
        let periods = periods()
        guard !periods.isEmpty else { return ["Summary: no period known (no run had --period C,T)."] }
        var lines = ["Summary (\(store.root)/periods/NNNN/metrics.json):"]
        let header = ["period", "accuracy", "labeled", "decision", "degraded"]
        var rows: [[String]] = []
        var accuracies: [Double??] = []
        var degraded: [Bool] = []
        for period in periods {
            let result = store.metrics(period: period)
            if case .success(let metrics) = result {
                accuracies.append(.some(metrics.accuracy))
                degraded.append(metrics.degraded)
            } else {
                accuracies.append(nil)
                degraded.append(false)
            }
            switch result {
            case nil:
                rows.append([String(period), "-", "-", "-", "-"])
            case .failure:
                rows.append([String(period), "?", "?", "unreadable", "?"])
            case .success(let metrics):
                rows.append([
                    String(period),
                    metrics.accuracy.map { fixed($0 * 100, decimals: 2) + "%" } ?? "n/a",
                    String(metrics.labeled),
                    metrics.decision.rawValue,
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
        for (index, row) in rows.enumerated() {
            let text = format(row)
            guard color, case .some(.some) = accuracies[index] else {
                lines.append(text)
                continue
            }
            lines.append((degraded[index] ? Self.red : Self.green) + text + Self.reset)
        }
        // Under the table, so the table still follows the "Summary" line directly.
        if accuracies.contains(where: { $0 != nil }) {
            let defined = accuracies.compactMap { $0 ?? nil }
            let range = defined.isEmpty
                ? "" : "  (\(fixed(defined.min()! * 100, decimals: 2))% … \(fixed(defined.max()! * 100, decimals: 2))%)"
            lines.append("  accuracy by period: " + Self.sparkline(accuracies, degraded: degraded, color: color) + range)
        }
        return lines
    }
}
