import Foundation
import MonitorStore

/// Periods in columns along a chart's x axis: one period per column when
/// they fit, else runs of `size` consecutive periods, each drawn as one
/// point, bar or cell that aggregates them (so a chart's size stays bounded).
struct Columns {
    let periods: Int
    /// Periods per column.
    let size: Int

    init(periods: Int, limit: Int = Charts.maxColumns) {
        self.periods = periods
        self.size = max(1, (periods + limit - 1) / max(limit, 1))
    }

    var count: Int { (periods + size - 1) / size }
    var isThinned: Bool { size > 1 }
    var all: Range<Int> { 0..<count }

    func range(_ column: Int) -> Range<Int> { (column * size)..<min(periods, (column + 1) * size) }

    /// `Period 3`, or `Periods 10–19`.
    func name(_ column: Int) -> String {
        let range = range(column)
        return range.count == 1 ? "Period \(range.lowerBound)" : "Periods \(range.lowerBound)–\(range.upperBound - 1)"
    }

    /// The `data-period` attribute: `3`, or `10-19`.
    func key(_ column: Int) -> String {
        let range = range(column)
        return range.count == 1 ? String(range.lowerBound) : "\(range.lowerBound)-\(range.upperBound - 1)"
    }
}

/// The report's charts, drawn with ``SVG``. Periods sit in equal bands along
/// the x axis, so every chart lines up with the others; beyond
/// ``maxColumns`` periods, each band holds several (``Columns``).
enum Charts {
    static let width = 1100.0
    /// The most bands a chart draws (the plot is 846 px wide).
    static let maxColumns = 120

    /// The mean of the values, `nil` for none.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The periods of each column.
    static func groups(_ data: ReportData, _ columns: Columns) -> [ArraySlice<ReportData.Period>] {
        columns.all.map { data.periods[columns.range($0)] }
    }

    /// Plot area and scales of one chart.
    struct Frame {
        let columns: Columns
        let height: Double
        var low = 0.0
        var high = 1.0
        let left = 64.0
        let right = 190.0
        let top = 26.0
        let bottom = 36.0

        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
        var periods: Int { columns.count }
        var band: Double { plotWidth / Double(max(periods, 1)) }
        /// The middle of column `column`'s band.
        func x(_ column: Int) -> Double { left + band * (Double(column) + 0.5) }
        func y(_ value: Double) -> Double {
            top + plotHeight * (1 - (min(max(value, low), high) - low) / max(high - low, 1e-9))
        }
        var xEnd: Double { left + plotWidth }
        var yBottom: Double { top + plotHeight }

        /// Axes, horizontal grid lines with labels, and period numbers.
        func axes(into svg: inout SVG, percent: Bool = true, yTitle: String) {
            let span = high - low
            let step = span <= 0.3 ? 0.05 : span <= 0.8 ? 0.1 : 0.2
            var value = (low / step).rounded(.up) * step
            while value <= high + 1e-9 {
                svg.line(left, y(value), xEnd, y(value), class: "grid")
                svg.text(left - 8, y(value) + 4, percent ? "\(Int((value * 100).rounded()))%" : n(value), class: "tick", anchor: "end")
                value += step
            }
            svg.line(left, yBottom, xEnd, yBottom, class: "axis")
            svg.line(left, top, left, yBottom, class: "axis")
            periodTicks(into: &svg)
            svg.text(left - 56, top - 12, yTitle, class: "axis-title")
        }

        /// Period numbers under the plot (a column's first period) and the axis title.
        func periodTicks(into svg: inout SVG) {
            let every = max(1, Int((Double(periods) / 25).rounded(.up)))
            for column in stride(from: 0, to: periods, by: every) {
                svg.text(x(column), yBottom + 16, String(columns.range(column).lowerBound), class: "tick", anchor: "middle")
            }
            svg.text(xEnd, yBottom + 32, columns.isThinned ? "period (\(columns.size) per band)" : "period", class: "axis-title", anchor: "end")
        }

        /// A horizontal reference line labeled at the right end.
        func rule(into svg: inout SVG, _ value: Double, class className: String, label: String) {
            guard value >= low && value <= high else { return }
            svg.line(left, y(value), xEnd, y(value), class: className)
            svg.text(xEnd + 8, y(value) + 4, label, class: "label-\(className)")
        }
    }

    // MARK: Accuracy

    static func accuracy(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        var frame = Frame(columns: columns, height: 300)
        var values = data.periods.compactMap { $0.metrics?.accuracy }
        values += data.periods.compactMap { ReportData.estimated($0)?.accuracyLower }
        if let baseline = data.baseline?.accuracy {
            values.append(baseline)
            if let drop = data.maxDrop { values.append(baseline - drop) }
        }
        if let minimum = data.minAccuracy { values.append(minimum) }
        frame.low = max(0, ((values.min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        frame.high = 1
        if frame.low >= frame.high { frame.low = frame.high - 0.1 }

        var svg = SVG(width: width, height: frame.height + 14)
        frame.axes(into: &svg, yTitle: "accuracy")
        if let baseline = data.baseline {
            frame.rule(
                into: &svg, baseline.accuracy, class: "baseline",
                label: "baseline \(Format.percent(baseline.accuracy))")
            if let drop = data.maxDrop, drop > 0 {
                frame.rule(
                    into: &svg, baseline.accuracy - drop, class: "dropline",
                    label: "baseline − max drop \(Format.percent(baseline.accuracy - drop))")
            }
        }
        if let minimum = data.minAccuracy {
            frame.rule(into: &svg, minimum, class: "minimum", label: "minimum \(Format.percent(minimum))")
        }
        estimates(data, frame: frame, into: &svg)
        let groups = groups(data, columns)
        let accuracies = groups.map { group in group.compactMap { $0.metrics?.accuracy } }
        svg.polylines(
            accuracies.enumerated().map { column, values in mean(values).map { (frame.x(column), frame.y($0)) } },
            class: "series accuracy")
        for (column, group) in groups.enumerated() {
            let checked = group.compactMap(\.metrics)
            guard !checked.isEmpty else { continue }
            let x = frame.x(column)
            let key = columns.key(column)
            guard let accuracy = mean(accuracies[column]) else {
                svg.add(
                    "text", ["x": n(x), "y": n(frame.yBottom - 6), "class": "na", "text-anchor": "middle",
                             "data-period": key], text: "n/a")
                continue
            }
            let y = frame.y(accuracy)
            let degraded = checked.filter(\.degraded)
            let low = accuracies[column].min()!, high = accuracies[column].max()!
            if high > low { svg.line(x, frame.y(low), x, frame.y(high), class: "spread") }
            if !degraded.isEmpty {
                svg.add("circle", ["cx": n(x), "cy": n(y), "r": "9", "class": "marker", "data-period": key])
            }
            let tooltip: String
            if columns.isThinned {
                tooltip = "\(columns.name(column)): mean accuracy \(Format.percent(accuracy)) (\(Format.percent(low)) … "
                    + "\(Format.percent(high))), \(degraded.count) of \(checked.count) checked degraded"
            } else {
                tooltip = "Period \(key): accuracy \(Format.percent(accuracy))"
                    + (degraded.first.map { " — degraded: \($0.reason)" } ?? "")
            }
            svg.add(
                "circle",
                [
                    "cx": n(x), "cy": n(y), "r": columns.isThinned ? "4" : "5",
                    "class": degraded.isEmpty ? "point" : "point degraded", "data-period": key,
                    "data-accuracy": String(accuracy),
                ],
                tooltip: tooltip)
        }
        if data.periods.contains(where: { $0.metrics?.degraded == true }) {
            let y = frame.yBottom - 8
            svg.add("circle", ["cx": n(frame.xEnd + 16), "cy": n(y - 4), "r": "5", "class": "legend-degraded"])
            svg.add("circle", ["cx": n(frame.xEnd + 16), "cy": n(y - 4), "r": "9", "class": "legend-marker"])
            svg.text(frame.xEnd + 32, y, columns.isThinned ? "degraded band" : "degraded period", class: "legend")
        }
        return svg.render(label: "Accuracy per period")
    }

    /// The estimate (CBPE) of each period beside its realized accuracy: its
    /// band as a bar, the estimate as a hollow point on a dashed line.
    static func estimates(_ data: ReportData, frame: Frame, into svg: inout SVG) {
        let width = max(4, min(14, frame.band * 0.3))
        let columns = frame.columns
        var points: [(Double, Double)?] = []
        for (column, group) in groups(data, columns).enumerated() {
            // A band's estimate: the mean estimate, from the lowest to the highest bound of its periods.
            let estimates = group.compactMap { period -> (Double, Double, Double, Double?)? in
                guard let estimate = ReportData.estimated(period), let accuracy = estimate.accuracy,
                    let lower = estimate.accuracyLower, let upper = estimate.accuracyUpper
                else { return nil }
                return (accuracy, lower, upper, period.metrics?.accuracy)
            }
            guard let accuracy = mean(estimates.map(\.0)) else {
                points.append(nil)
                continue
            }
            let lower = estimates.map(\.1).min()!, upper = estimates.map(\.2).max()!
            let realized = mean(estimates.compactMap(\.3))
            let x = frame.x(column)
            let text = "\(columns.name(column)): estimated accuracy \(Format.percent(accuracy)) "
                + "(band \(Format.percent(lower))–\(Format.percent(upper)))"
                + (realized.map { ", realized \(Format.percent($0))" } ?? ", no realized accuracy")
            svg.add(
                "rect",
                [
                    "x": n(x - width / 2), "y": n(frame.y(upper)), "width": n(width),
                    "height": n(max(1, frame.y(lower) - frame.y(upper))), "class": "estimate-band",
                    "data-period": columns.key(column),
                ],
                tooltip: text)
            points.append((x, frame.y(accuracy)))
        }
        svg.polylines(points, class: "series estimate")
        for (column, point) in points.enumerated() {
            guard let point else { continue }
            svg.add(
                "circle",
                ["cx": n(point.0), "cy": n(point.1), "r": "4", "class": "estimate-point", "data-period": columns.key(column)])
        }
        guard points.contains(where: { $0 != nil }) else { return }
        // Above the degraded-period legend at the bottom: the rule labels sit near the top.
        let y = frame.yBottom - 34
        svg.add("rect", ["x": n(frame.xEnd + 12), "y": n(y - 12), "width": "8", "height": "14", "class": "estimate-band"])
        svg.add("circle", ["cx": n(frame.xEnd + 16), "cy": n(y - 5), "r": "4", "class": "estimate-point"])
        svg.text(frame.xEnd + 28, y, "estimated (CBPE), band", class: "legend")
    }

    // MARK: Score drift

    static func drift(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        var frame = Frame(columns: columns, height: 200)
        let values = data.periods.compactMap { ReportData.scoreDrift($0)?.psi } + [data.maxPSI ?? 0]
        frame.low = 0
        frame.high = max(0.1, ((values.max() ?? 0.1) * 20).rounded(.up) / 20)
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, percent: false, yTitle: "PSI")
        if let threshold = data.maxPSI {
            frame.rule(into: &svg, threshold, class: "minimum", label: "max PSI \(n(threshold))")
        }
        let barWidth = max(2, frame.band * 0.6)
        for (column, group) in groups(data, columns).enumerated() {
            // A band's bar: its largest PSI (the period most drifted).
            guard let drift = group.compactMap(ReportData.scoreDrift).max(by: { $0.psi < $1.psi }) else { continue }
            let drifted = group.contains { ReportData.scoreDrift($0)?.drifted == true }
            let x = frame.x(column) - barWidth / 2
            svg.add(
                "rect",
                [
                    "x": n(x), "y": n(frame.y(drift.psi)), "width": n(barWidth),
                    "height": n(max(0, frame.yBottom - frame.y(drift.psi))),
                    "class": drifted ? "bar drifted" : "bar", "data-period": columns.key(column),
                    "data-psi": String(drift.psi),
                ],
                tooltip: "\(columns.name(column)): \(columns.isThinned ? "largest " : "")PSI \(Format.fixed(drift.psi, 3)), "
                    + "KS \(Format.fixed(drift.ksStatistic, 3)) (p \(Format.pValue(drift.ksPValue)))" + (drifted ? " — drifted" : ""))
        }
        return svg.render(label: "Score drift (PSI) per period")
    }

    // MARK: Precision, recall, F1, ROC AUC

    static let metricSeries: [(name: String, key: String, color: String, value: @Sendable (MetricsRecord) -> Double?)] = [
        ("precision", "precision", "#2f6fb3", { $0.precision }),
        ("recall", "recall", "#3f9142", { $0.recall }),
        ("F1", "f1", "#8e44ad", { $0.f1 }),
        ("ROC AUC", "roc_auc", "#d9822b", { $0.rocAUC }),
    ]

    static func metrics(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        var frame = Frame(columns: columns, height: 260)
        let values = data.periods.compactMap(\.metrics).flatMap { record in metricSeries.compactMap { $0.value(record) } }
        frame.low = max(0, ((values.min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        if frame.low >= frame.high { frame.low = frame.high - 0.1 }
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "value")
        let groups = groups(data, columns)
        for (index, series) in metricSeries.enumerated() {
            let points = groups.enumerated().map { column, group in
                mean(group.compactMap { $0.metrics.flatMap(series.value) }).map { (frame.x(column), frame.y($0)) }
            }
            svg.polylinesColored(points, color: series.color)
            for (column, point) in points.enumerated() {
                guard let point else { continue }
                svg.add(
                    "circle",
                    [
                        "cx": n(point.0), "cy": n(point.1), "r": "3", "fill": series.color, "class": "metric",
                        "data-metric": series.key, "data-period": columns.key(column),
                    ])
            }
            let legendY = frame.top + 14 + Double(index) * 20
            svg.add(
                "line",
                ["x1": n(frame.xEnd + 12), "y1": n(legendY - 4), "x2": n(frame.xEnd + 36), "y2": n(legendY - 4),
                 "stroke": series.color, "stroke-width": "3"])
            svg.text(frame.xEnd + 42, legendY, series.name, class: "legend")
        }
        return svg.render(label: "Precision, recall, F1 and ROC AUC per period")
    }

    // MARK: Coverage

    /// Labeled rows / rows, from `coverage.json`, else `metrics.json`; `nil` for no rows.
    static func coverageShare(_ period: ReportData.Period) -> Double? {
        if let coverage = period.coverage {
            return coverage.rows > 0 ? Double(coverage.labeled) / Double(coverage.rows) : nil
        }
        if let metrics = period.metrics, metrics.rows > 0 { return Double(metrics.labeled) / Double(metrics.rows) }
        return nil
    }

    /// Labeled rows and rows, as ``coverageShare(_:)`` takes them; `nil` when it is `nil`.
    static func coverageCounts(_ period: ReportData.Period) -> (labeled: Int, rows: Int)? {
        guard coverageShare(period) != nil else { return nil }
        if let coverage = period.coverage { return (coverage.labeled, coverage.rows) }
        return period.metrics.map { ($0.labeled, $0.rows) }
    }

    static func coverage(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        let frame = Frame(columns: columns, height: 200)
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "labeled")
        let barWidth = max(2, frame.band * 0.7)
        for (column, group) in groups(data, columns).enumerated() {
            let x = frame.x(column) - barWidth / 2
            let counts = group.compactMap(coverageCounts)
            guard !counts.isEmpty else {
                svg.add("rect", ["x": n(x), "y": n(frame.top), "width": n(barWidth), "height": n(frame.plotHeight), "class": "bar-empty"],
                        tooltip: "\(columns.name(column)): no rows or not loaded")
                continue
            }
            let rows = counts.reduce(0) { $0 + $1.rows }
            let labeled = counts.reduce(0) { $0 + $1.labeled }
            let share = Double(labeled) / Double(rows)
            svg.add(
                "rect",
                [
                    "x": n(x), "y": n(frame.y(share)), "width": n(barWidth), "height": n(frame.yBottom - frame.y(share)),
                    "class": share < 0.5 ? "bar low" : "bar", "data-period": columns.key(column),
                    "data-coverage": String(share),
                ],
                tooltip: "\(columns.name(column)): \(labeled) of \(rows) rows labeled (\(Format.percent(share)))")
        }
        return svg.render(label: "Labeled rows per period")
    }

    // MARK: Predicted-positive rate

    static func positiveRate(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        var frame = Frame(columns: columns, height: 200)
        let values = data.periods.compactMap { $0.summary?.predictedPositiveRate }
        frame.low = max(0, ((values.min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        frame.high = min(1, ((values.max() ?? 1) * 10 + 0.5).rounded(.up) / 10)
        if frame.low >= frame.high { frame = Frame(columns: columns, height: 200) }
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "predicted positive")
        let groups = groups(data, columns)
        let rates = groups.map { group in mean(group.compactMap { $0.summary?.predictedPositiveRate }) }
        svg.polylines(rates.enumerated().map { column, rate in rate.map { (frame.x(column), frame.y($0)) } }, class: "series accuracy")
        for (column, rate) in rates.enumerated() {
            guard let rate, let label = groups[column].lazy.compactMap({ $0.summary?.positiveLabel }).first else { continue }
            svg.add(
                "circle",
                ["cx": n(frame.x(column)), "cy": n(frame.y(rate)), "r": "4", "class": "point rate", "data-period": columns.key(column)],
                tooltip: "\(columns.name(column)): \(columns.isThinned ? "mean " : "")\(Format.percent(rate)) predicted \(label)")
        }
        return svg.render(label: "Predicted-positive rate per period")
    }

    // MARK: Score distribution

    static func scores(_ data: ReportData) -> String {
        let columns = Columns(periods: data.periods.count)
        let frame = Frame(columns: columns, height: 240)
        var svg = SVG(width: width, height: frame.height)
        let bins = 10
        let cellHeight = frame.plotHeight / Double(bins)
        for bin in 0...bins where bin % 2 == 0 {
            let y = frame.yBottom - Double(bin) * cellHeight
            svg.text(frame.left - 8, y + 4, n(Double(bin) / Double(bins)), class: "tick", anchor: "end")
        }
        svg.text(frame.left - 56, frame.top - 12, "score", class: "axis-title")
        frame.periodTicks(into: &svg)
        // Each column's counts per bin, summed over its periods; nil: no scores.
        let counts: [[Int]?] = groups(data, columns).map { group in
            var sum = [Int](repeating: 0, count: bins)
            var any = false
            for period in group {
                guard let distribution = period.summary?.scores, distribution.bins.count == bins else { continue }
                any = true
                for (bin, count) in distribution.bins.enumerated() { sum[bin] += count }
            }
            return any ? sum : nil
        }
        // Shades relative to the fullest bin of the chart: scores bunch up, and a
        // per-period or square-root scale washed every cell to the same pale blue.
        let fullest = counts.compactMap { column -> Double? in
            guard let column, case let total = column.reduce(0, +), total > 0 else { return nil }
            return Double(column.max() ?? 0) / Double(total)
        }.max() ?? 1
        for (column, distribution) in counts.enumerated() {
            let x = frame.x(column) - frame.band / 2 + 1
            let cellWidth = max(frame.band - 2, 1)
            guard let distribution else {
                svg.add("rect", ["x": n(x), "y": n(frame.top), "width": n(cellWidth), "height": n(frame.plotHeight), "class": "cell-empty"],
                        tooltip: "\(columns.name(column)): no scores")
                continue
            }
            let total = max(distribution.reduce(0, +), 1)
            for (bin, count) in distribution.enumerated() {
                let share = Double(count) / Double(total)
                let shade = share == 0 ? 0 : 0.06 + 0.94 * share / max(fullest, 1e-9)
                svg.add(
                    "rect",
                    [
                        "x": n(x), "y": n(frame.yBottom - Double(bin + 1) * cellHeight), "width": n(cellWidth),
                        "height": n(cellHeight - 1), "fill": "#2f6fb3", "fill-opacity": Format.fixed(shade, 3),
                        "class": "cell", "data-period": columns.key(column), "data-bin": String(bin),
                    ],
                    tooltip: "\(columns.name(column)), scores \(n(Double(bin) / 10))–\(n(Double(bin + 1) / 10)): "
                        + "\(count) rows (\(Format.percent(share)))")
            }
        }
        svg.text(frame.xEnd + 8, frame.top + 12, "darker = more rows", class: "legend")
        return svg.render(label: "Score distribution per period")
    }
}

extension SVG {
    /// ``polylines(_:class:)`` with an explicit stroke colour.
    mutating func polylinesColored(_ points: [(Double, Double)?], color: String) {
        var run: [(Double, Double)] = []
        func flush() {
            if run.count >= 2 {
                add(
                    "polyline",
                    ["points": run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "), "class": "series",
                     "stroke": color])
            }
            run = []
        }
        for point in points {
            if let point { run.append(point) } else { flush() }
        }
        flush()
    }
}
