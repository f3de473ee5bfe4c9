import Foundation
import MonitorPolicy
import MonitorStore
import Platform

/// The pipeline's results as one self-contained HTML file: inline CSS and
/// inline SVG charts, no script, no network, every text escaped.
///
/// ```swift
/// let path = try Report.write(store: Store(root: "state/sample"), runHistory: nil, name: "sample")
/// ```
public struct Report: Sendable {
    public let data: ReportData
    /// When the report was made (shown in its header).
    public let generatedAt: Date

    public init(data: ReportData, generatedAt: Date = Date()) {
        self.data = data
        self.generatedAt = generatedAt
    }

    /// The default output file, `STORE/report.html`.
    public static func defaultPath(store: Store) -> String { "\(store.root)/report.html" }

    /// Reads `store` and `runHistory` (see ``ReportData/init(store:runHistory:name:)``),
    /// renders the report and writes it to `path` (default
    /// `STORE/report.html`): atomically over a regular file, in place into
    /// anything else (a FIFO, a device, a symbolic link), which is never replaced.
    ///
    /// - Returns: the path written.
    /// - Throws: ``StoreError`` when the file cannot be written.
    @discardableResult
    public static func write(
        store: Store, runHistory: String?, name: String? = nil, to path: String? = nil
    ) throws(StoreError) -> String {
        let target = path ?? defaultPath(store: store)
        let data = ReportData(store: store, runHistory: runHistory, name: name)
        try FileSystem.writeOutput(Array(Report(data: data).html().utf8), to: target)
        return target
    }

    /// Reads `store` and `runHistory`, renders the report and writes it to standard output.
    ///
    /// - Throws: ``StoreError`` when standard output cannot be written.
    public static func writeToStandardOutput(store: Store, runHistory: String?, name: String? = nil) throws(StoreError) {
        let data = ReportData(store: store, runHistory: runHistory, name: name)
        try FileSystem.writeStandardOutput(Array(Report(data: data).html().utf8))
    }

    /// The whole HTML document.
    public func html() -> String {
        let checked = data.periods.filter { $0.metrics != nil }
        let degraded = checked.filter { $0.metrics!.degraded }
        let title = "Model monitoring — \(data.name)"
        var body = "<header><h1>\(HTML.escape(title))</h1>"
        body += "<p class=\"meta\">Store <code>\(HTML.escape(data.storeDirectory))</code> · generated "
        body += HTML.escape(Self.timestamp(generatedAt)) + "</p></header>"

        body += "<section class=\"cards\">"
        body += card("Periods checked", "\(checked.count) of \(data.periods.count)")
        body += card("Degraded", "\(degraded.count)", alert: !degraded.isEmpty)
        let latest = checked.last?.metrics
        body += card("Latest accuracy", latest.map { "\(Format.percent($0.accuracy)) (period \($0.period))" } ?? "n/a")
        if let baseline = data.baseline {
            body += card("Baseline", Format.percent(baseline.accuracy) + (baseline.source.map { " (\($0))" } ?? ""))
        }
        if let minAccuracy = data.minAccuracy { body += card("Minimum accuracy", Format.percent(minAccuracy)) }
        if let decision = latest?.decision { body += card("Last decision", decision.rawValue, alert: decision == .stopDegraded) }
        body += "</section>"

        if data.periods.isEmpty {
            body += "<p class=\"empty\">No period in this store yet: run the pipeline first.</p>"
        } else {
            body += section("Accuracy per period", Charts.accuracy(data), note: accuracyNote())
            body += section(
                "Precision, recall, F1 and ROC AUC", Charts.metrics(data),
                note: "Gaps: the metric is undefined for that period (see the table). " + averagingNote())
            body += section(
                "Score drift", Charts.drift(data),
                note: "Population stability index of each period's scores against the reference's score deciles"
                    + (data.maxPSI.map { "; dashed red: the maximum PSI (\(n($0))), red bars: drifted periods" } ?? "") + ".")
            body += section("Labeled rows per period", Charts.coverage(data), note: "Share of prediction rows with a label.")
            body += section("Predicted-positive rate", Charts.positiveRate(data), note: nil)
            body += section(
                "Score distribution", Charts.scores(data),
                note: "Share of each period's rows per score bin (darker = more rows).")
        }
        body += "<section id=\"periods\"><h2>Periods</h2>" + periodsSection() + "</section>"
        body += "<section id=\"runs\"><h2>Run history</h2>" + runTable() + "</section>"

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>\(Self.css)</style></head>
            <body>\(body)</body></html>

            """
    }

    private func card(_ label: String, _ value: String, alert: Bool = false) -> String {
        "<div class=\"card\(alert ? " alert" : "")\"><div class=\"label\">\(HTML.escape(label))</div>"
            + "<div class=\"value\">\(HTML.escape(value))</div></div>"
    }

    private func section(_ title: String, _ svg: String, note: String?) -> String {
        "<section><h2>\(HTML.escape(title))</h2><figure>\(svg)</figure>"
            + (note.map { "<p class=\"note\">\(HTML.escape($0))</p>" } ?? "") + "</section>"
    }

    /// How precision, recall and F1 were averaged, from the latest checked period.
    private func averagingNote() -> String {
        guard let metrics = data.periods.last(where: { $0.metrics != nil })?.metrics else { return "" }
        let source = metrics.averagingSource.map { ", decided from \($0)" } ?? ""
        return metrics.averaging == .macro
            ? "Multiclass: macro averages over the classes\(source)."
            : "Binary: for the positive label \"\(metrics.positiveLabel)\", one class against the rest\(source)."
    }

    private func accuracyNote() -> String {
        var parts: [String] = []
        if data.baseline != nil {
            parts.append("Dotted green: the baseline")
            if data.maxDrop != nil { parts.append("dash-dot amber: baseline − max drop (a larger, significant drop is degraded)") }
        } else {
            parts.append("No baseline recorded yet")
        }
        parts.append(data.minAccuracy == nil ? "no minimum accuracy set" : "dashed red: the minimum accuracy")
        var text = parts.joined(separator: "; ") + ". Ringed red points: degraded periods."
        if data.periods.contains(where: { ReportData.estimated($0) != nil }) {
            text += " Hollow points and bars: the accuracy estimated from the scores (CBPE) and its band; it assumes "
                + "P(outcome | score) stays as in the reference, so a realized accuracy outside the band means concept drift."
        }
        if data.periods.contains(where: { $0.metrics != nil && $0.metrics?.accuracy == nil }) {
            text += " n/a: accuracy undefined (no labeled rows)."
        }
        return text
    }

    /// Periods shown in full in the table: the latest ones.
    static let tablePeriods = 50

    /// The latest ``tablePeriods`` periods in the table; with more periods, a
    /// line on the earlier ones and every period in a compact list under it.
    private func periodsSection() -> String {
        let shown = data.periods.suffix(Self.tablePeriods)
        guard shown.count < data.periods.count, let first = shown.first?.period else { return periodTable(shown) }
        let earlier = data.periods.prefix(first)
        let checked = earlier.filter { $0.metrics != nil }
        let degraded = checked.filter { $0.metrics!.degraded }.map(\.period)
        var html = "<p class=\"note\">The latest \(shown.count) of \(data.periods.count) periods. Periods 0–\(first - 1): "
        html += "\(checked.count) checked, \(degraded.count) degraded"
        if !degraded.isEmpty {
            let listed = degraded.prefix(Self.tablePeriods).map(String.init).joined(separator: ", ")
            html += " (\(listed)\(degraded.count > Self.tablePeriods ? ", …" : ""))"
        }
        html += ", \(earlier.count - checked.count) not checked; every period in the list under the table.</p>"
        html += periodTable(shown)
        html += "<details class=\"compact\"><summary>All \(data.periods.count) periods (compact)</summary><pre>"
        html += HTML.escape(compactLines().joined(separator: "\n")) + "</pre></details>"
        return html
    }

    /// One short line per period: number, accuracy, labeled rows, decision.
    func compactLines() -> [String] {
        let width = String(data.periods.count - 1).count
        var lines = ["period".padding(toLength: max(width, 6), withPad: " ", startingAt: 0) + "  accuracy  labeled/rows  decision"]
        for period in data.periods {
            let number = String(period.period)
            var line = String(repeating: " ", count: max(width, 6) - number.count) + number + "  "
            if let metrics = period.metrics {
                let accuracy = Format.percent(metrics.accuracy)
                line += String(repeating: " ", count: max(0, 8 - accuracy.count)) + accuracy + "  "
                let labeled = "\(metrics.labeled)/\(metrics.rows)"
                line += String(repeating: " ", count: max(0, 12 - labeled.count)) + labeled + "  "
                line += metrics.decision.rawValue
                if metrics.degraded { line += " (degraded)" }
            } else {
                line += "       —             —  " + (period.summary == nil ? "not run" : "not checked")
            }
            lines.append(line)
        }
        return lines
    }

    /// One row per period, and under it a full-width row with the check's reason
    /// (16 columns side by side do not fit a page: the reason column was squeezed to a word per line).
    private func periodTable(_ periods: ArraySlice<ReportData.Period>) -> String {
        let headers = [
            "Period", "Rows", "Labeled", "Coverage", "Accuracy", "Precision", "Recall", "F1", "ROC AUC",
            "Estimated", "PSI", "Pred. positive", "Baseline", "Drop", "p-value", "Degraded", "Decision",
        ]
        var html = "<div class=\"scroll\"><table class=\"periods\"><thead><tr>"
        html += headers.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"  // the last one, Decision, is text
        for period in periods {
            let metrics = period.metrics
            let rows = metrics?.rows ?? period.coverage?.rows ?? period.summary?.rows
            let labeled = metrics?.labeled ?? period.coverage?.labeled
            var cells: [String] = [String(period.period), rows.map(String.init) ?? "—", labeled.map(String.init) ?? "—"]
            cells.append(Charts.coverageShare(period).map { Format.percent($0) } ?? "—")
            let estimate = ReportData.estimated(period)
            let estimateCell = estimate?.accuracy.map { accuracy in
                Format.percent(accuracy) + " (\(Format.percent(estimate?.accuracyLower))–\(Format.percent(estimate?.accuracyUpper)))"
            } ?? "n/a"
            let psiCell = ReportData.scoreDrift(period).map { Format.fixed($0.psi, 3) + ($0.drifted == true ? " ⚠" : "") } ?? "n/a"
            let reason: String
            if let metrics {
                cells += [
                    Format.percent(metrics.accuracy), Format.percent(metrics.precision), Format.percent(metrics.recall),
                    Format.percent(metrics.f1), Format.fixed(metrics.rocAUC, 4), estimateCell, psiCell,
                    Format.percent(period.summary?.predictedPositiveRate), Format.percent(metrics.baselineAccuracy),
                    metrics.drop.map { Format.points($0) } ?? "n/a", Format.pValue(metrics.pValue),
                    metrics.degraded ? "yes" : "no", metrics.decision.rawValue,
                ]
                reason = metrics.reason
            } else {
                let state = period.summary == nil ? "not run" : period.coverage == nil ? "predictions only" : "not checked"
                cells += Array(repeating: "—", count: 5)
                cells += [estimateCell, psiCell, Format.percent(period.summary?.predictedPositiveRate), "—", "—", "—", "—", state]
                reason = period.problems.joined(separator: "; ")
            }
            var classes: [String] = []
            if metrics?.degraded == true { classes.append("degraded") }
            if metrics == nil { classes.append("missing") }
            if metrics?.insufficientGroundTruth == true { classes.append("insufficient") }
            let classAttribute = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
            html += "<tr data-period=\"\(period.period)\"\(classAttribute)>"
            html += cells.enumerated().map { index, cell in
                index == headers.count - 1 ? "<td class=\"text\">\(HTML.escape(cell))</td>" : "<td>\(HTML.escape(cell))</td>"
            }.joined()
            html += "</tr>"
            if !reason.isEmpty {
                html += "<tr class=\"reason\(classes.isEmpty ? "" : " " + classes.joined(separator: " "))\">"
                html += "<td></td><td colspan=\"\(headers.count - 1)\" class=\"text\">\(HTML.escape(reason))</td></tr>"
            }
        }
        return html + "</tbody></table></div>"
    }

    /// The latest launcher session: runs per job, then every run when they
    /// are few, else the first failed runs and the last runs.
    private func runTable() -> String {
        let history = data.history
        guard let lastSession = history.latestSession else {
            return "<p class=\"empty\">No run history (<code>launcher/runs.jsonl</code>): the jobs were run by hand or on CML.</p>"
        }
        let earlier = history.sessions - 1
        var html = "<p class=\"note\">Latest launcher session \(HTML.escape(lastSession)): \(history.runs) runs"
        html += earlier > 0 ? " (\(earlier) earlier session\(earlier == 1 ? "" : "s") in the history).</p>" : ".</p>"
        html += "<div class=\"scroll\"><table class=\"jobs\"><thead><tr><th class=\"text\">Job</th><th>Runs</th><th>Failed</th>"
        html += "<th>Total time</th></tr></thead><tbody>"
        for job in history.jobs {
            html += "<tr\(job.failed > 0 ? " class=\"failed\"" : "")><td class=\"text\">\(HTML.escape(job.job))</td><td>\(job.runs)</td>"
            html += "<td>\(job.failed)</td><td>\(Format.seconds(job.seconds))</td></tr>"
        }
        html += "</tbody></table></div>"
        if history.runs <= RunHistory.listed { return html + runRows(history.recent) }
        if history.failedRuns > 0 {
            let shown = history.failures.count
            html += "<h3>Failed runs</h3><p class=\"note\">"
            html += shown < history.failedRuns ? "The first \(shown) of \(history.failedRuns).</p>" : "All \(shown).</p>"
            html += runRows(history.failures)
        }
        html += "<h3>Latest runs</h3><p class=\"note\">The last \(history.recent.count) of \(history.runs).</p>"
        return html + runRows(history.recent)
    }

    private func runRows(_ runs: [ReportData.Run]) -> String {
        var html = "<div class=\"scroll\"><table class=\"runs\"><thead><tr><th>#</th><th class=\"text\">Job</th>"
        html += "<th class=\"text\">Arguments</th><th class=\"text\">Status</th><th>Exit</th><th>Duration</th>"
        html += "<th class=\"text\">Reason</th></tr></thead><tbody>"
        for run in runs {
            let failed = run.status != "ENGINE_SUCCEEDED"
            html += "<tr\(failed ? " class=\"failed\"" : "")><td>\(run.sequence)</td><td class=\"text\">\(HTML.escape(run.job))</td>"
            html += "<td class=\"text\"><code>\(HTML.escape(run.arguments))</code></td>"
            html += "<td class=\"text\">\(HTML.escape(run.status))</td><td>\(run.exitCode.map(String.init) ?? "—")</td>"
            html += "<td>\(Format.seconds(run.durationSeconds))</td>"
            html += "<td class=\"text\">\(HTML.escape(run.reason ?? ""))</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static let css = """
        :root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bad:#d64545;--ok:#3f9142;--accent:#2f6fb3}
        *{box-sizing:border-box}
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1200px;padding:24px 32px;background:#fff}
        h1{font-size:24px;margin:0 0 4px}
        h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        .meta,.note,.empty{color:var(--muted);font-size:13px;margin:4px 0}
        code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
        .card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px}
        .card .label{font-size:12px;color:var(--muted)}
        .card .value{font-size:18px;font-weight:600}
        .card.alert{border-color:var(--bad)}
        .card.alert .value{color:var(--bad)}
        figure{margin:0}
        svg{width:100%;height:auto;display:block}
        svg text{font-size:12px;fill:var(--muted)}
        svg .axis{stroke:#9aa5b1;stroke-width:1}
        svg .grid{stroke:var(--line);stroke-width:1}
        svg .series{fill:none;stroke-width:2}
        svg .accuracy{stroke:var(--accent)}
        svg .point{fill:var(--accent);stroke:#fff;stroke-width:1.5}
        svg .point.degraded,svg .legend-degraded{fill:var(--bad)}
        svg .legend-marker{fill:none;stroke:var(--bad);stroke-width:2}
        svg .marker{fill:none;stroke:var(--bad);stroke-width:2}
        svg .minimum{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:6 4}
        svg .baseline{stroke:var(--ok);stroke-width:1.5;stroke-dasharray:2 3}
        svg .estimate-band{fill:var(--accent);fill-opacity:.18;stroke:none}
        svg .series.estimate{stroke:var(--accent);stroke-dasharray:4 3;stroke-width:1.5}
        svg .estimate-point{fill:#fff;stroke:var(--accent);stroke-width:1.5}
        svg .bar.drifted{fill:var(--bad)}
        svg .dropline{stroke:#e9b949;stroke-width:1.5;stroke-dasharray:6 3 2 3}
        svg .label-minimum{fill:var(--bad)}
        svg .label-baseline{fill:var(--ok)}
        svg .label-dropline{fill:#a27c1a}
        svg .na{fill:var(--bad);font-size:11px}
        svg .bar{fill:#7fb3e0}
        svg .bar.low{fill:#e9b949}
        svg .bar-empty{fill:#f0f4f8}
        svg .cell-empty{fill:#f5f7fa}
        table{border-collapse:collapse;font-size:12px;width:100%}
        th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
        th{background:#f5f7fa;position:sticky;top:0}
        td.text,th.text,table.periods th:last-child{text-align:left}
        table.runs td.text:last-child{white-space:normal;width:40%}
        table.periods tr:has(+ tr.reason) td{border-bottom:none}
        tr.reason td{white-space:normal;color:var(--muted);padding-top:0;font-size:11px}
        tr.degraded td{background:#fdecec}
        tr.degraded td:first-child{box-shadow:inset 3px 0 var(--bad)}
        tr.degraded.reason td{color:#a61b1b}
        tr.missing td{color:var(--muted)}
        tr.failed td{background:#fdecec}
        .scroll{overflow-x:auto}
        h3{font-size:14px;margin:16px 0 4px}
        details.compact{margin-top:12px;font-size:13px}
        details.compact pre{font-size:11px;max-height:480px;overflow:auto;background:#f5f7fa;padding:8px}
        svg .spread{stroke:#7fb3e0;stroke-width:3;stroke-linecap:round}
        """
}

/// Number formats shared by the table and the charts; `n/a` for `nil`.
enum Format {
    static func percent(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return Platform.fixed(value * 100, decimals: 2) + "%"
    }

    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value else { return "n/a" }
        return Platform.fixed(value, decimals: decimals)
    }

    /// A p-value with four decimals, `< 0.0001` below that.
    static func pValue(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return value < 0.0001 ? "< 0.0001" : Platform.fixed(value, decimals: 4)
    }

    /// A fraction as percentage points, e.g. `4.10 pt`.
    static func points(_ value: Double) -> String {
        Platform.fixed(value * 100, decimals: 2) + " pt"
    }

    /// A duration, e.g. `0.25 s`.
    static func seconds(_ value: Double) -> String {
        Platform.fixed(value, decimals: 2) + " s"
    }
}
