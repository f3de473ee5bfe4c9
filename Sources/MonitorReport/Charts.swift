import Foundation
import MonitorStore

/// The report's charts, drawn with ``SVG``. Periods sit in equal bands along
/// the x axis, so every chart lines up with the others.
enum Charts {
    static let width = 1100.0

    /// Plot area and scales of one chart.
    struct Frame {
        let periods: Int
        let height: Double
        var low = 0.0
        var high = 1.0
        let left = 64.0
        let right = 190.0
        let top = 26.0
        let bottom = 36.0

        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
        var band: Double { plotWidth / Double(max(periods, 1)) }
        func x(_ period: Int) -> Double { left + band * (Double(period) + 0.5) }
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
            let every = max(1, Int((Double(periods) / 25).rounded(.up)))
            for period in stride(from: 0, to: periods, by: every) {
                svg.text(x(period), yBottom + 16, String(period), class: "tick", anchor: "middle")
            }
            svg.text(xEnd, yBottom + 32, "period", class: "axis-title", anchor: "end")
            svg.text(left - 56, top - 12, yTitle, class: "axis-title")
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
        var frame = Frame(periods: data.periods.count, height: 300)
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
        svg.polylines(
            data.periods.map { period in period.metrics?.accuracy.map { (frame.x(period.period), frame.y($0)) } },
            class: "series accuracy")
        for period in data.periods {
            guard let metrics = period.metrics else { continue }
            let x = frame.x(period.period)
            guard let accuracy = metrics.accuracy else {
                svg.add(
                    "text", ["x": n(x), "y": n(frame.yBottom - 6), "class": "na", "text-anchor": "middle",
                             "data-period": String(period.period)], text: "n/a")
                continue
            }
            let y = frame.y(accuracy)
            if metrics.degraded {
                svg.add(
                    "circle", ["cx": n(x), "cy": n(y), "r": "9", "class": "marker", "data-period": String(period.period)])
            }
            svg.add(
                "circle",
                [
                    "cx": n(x), "cy": n(y), "r": "5", "class": metrics.degraded ? "point degraded" : "point",
                    "data-period": String(period.period), "data-accuracy": String(accuracy),
                ],
                tooltip: "Period \(period.period): accuracy \(Format.percent(accuracy))"
                    + (metrics.degraded ? " — degraded: \(metrics.reason)" : ""))
        }
        if data.periods.contains(where: { $0.metrics?.degraded == true }) {
            let y = frame.yBottom - 8
            svg.add("circle", ["cx": n(frame.xEnd + 16), "cy": n(y - 4), "r": "5", "class": "legend-degraded"])
            svg.add("circle", ["cx": n(frame.xEnd + 16), "cy": n(y - 4), "r": "9", "class": "legend-marker"])
            svg.text(frame.xEnd + 32, y, "degraded period", class: "legend")
        }
        return svg.render(label: "Accuracy per period")
    }

    /// The estimate (CBPE) of each period beside its realized accuracy: its
    /// band as a bar, the estimate as a hollow point on a dashed line.
    static func estimates(_ data: ReportData, frame: Frame, into svg: inout SVG) {
        let width = max(4, min(14, frame.band * 0.3))
        var points: [(Double, Double)?] = []
        for period in data.periods {
            guard let estimate = ReportData.estimated(period), let accuracy = estimate.accuracy,
                let lower = estimate.accuracyLower, let upper = estimate.accuracyUpper
            else {
                points.append(nil)
                continue
            }
            let x = frame.x(period.period)
            let text = "Period \(period.period): estimated accuracy \(Format.percent(accuracy)) "
                + "(band \(Format.percent(lower))–\(Format.percent(upper)))"
                + (period.metrics?.accuracy.map { ", realized \(Format.percent($0))" } ?? ", no realized accuracy")
            svg.add(
                "rect",
                [
                    "x": n(x - width / 2), "y": n(frame.y(upper)), "width": n(width),
                    "height": n(max(1, frame.y(lower) - frame.y(upper))), "class": "estimate-band",
                    "data-period": String(period.period),
                ],
                tooltip: text)
            points.append((x, frame.y(accuracy)))
        }
        svg.polylines(points, class: "series estimate")
        for (point, period) in zip(points, data.periods) {
            guard let point else { continue }
            svg.add(
                "circle",
                ["cx": n(point.0), "cy": n(point.1), "r": "4", "class": "estimate-point", "data-period": String(period.period)])
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
        var frame = Frame(periods: data.periods.count, height: 200)
        let values = data.periods.compactMap { ReportData.scoreDrift($0)?.psi } + [data.maxPSI ?? 0]
        frame.low = 0
        frame.high = max(0.1, ((values.max() ?? 0.1) * 20).rounded(.up) / 20)
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, percent: false, yTitle: "PSI")
        if let threshold = data.maxPSI {
            frame.rule(into: &svg, threshold, class: "minimum", label: "max PSI \(n(threshold))")
        }
        let barWidth = max(2, frame.band * 0.6)
        for period in data.periods {
            guard let drift = ReportData.scoreDrift(period) else { continue }
            let x = frame.x(period.period) - barWidth / 2
            svg.add(
                "rect",
                [
                    "x": n(x), "y": n(frame.y(drift.psi)), "width": n(barWidth),
                    "height": n(max(0, frame.yBottom - frame.y(drift.psi))),
                    "class": drift.drifted == true ? "bar drifted" : "bar", "data-period": String(period.period),
                    "data-psi": String(drift.psi),
                ],
                tooltip: "Period \(period.period): PSI \(Format.fixed(drift.psi, 3)), KS \(Format.fixed(drift.ksStatistic, 3)) "
                    + "(p \(Format.pValue(drift.ksPValue)))" + (drift.drifted == true ? " — drifted" : ""))
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
        var frame = Frame(periods: data.periods.count, height: 260)
        let values = data.periods.compactMap(\.metrics).flatMap { record in metricSeries.compactMap { $0.value(record) } }
        frame.low = max(0, ((values.min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        if frame.low >= frame.high { frame.low = frame.high - 0.1 }
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "value")
        for (index, series) in metricSeries.enumerated() {
            let points = data.periods.map { period in
                period.metrics.flatMap(series.value).map { (frame.x(period.period), frame.y($0)) }
            }
            svg.polylinesColored(points, color: series.color)
            for (point, period) in zip(points, data.periods) {
                guard let point else { continue }
                svg.add(
                    "circle",
                    [
                        "cx": n(point.0), "cy": n(point.1), "r": "3", "fill": series.color, "class": "metric",
                        "data-metric": series.key, "data-period": String(period.period),
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

    static func coverage(_ data: ReportData) -> String {
        let frame = Frame(periods: data.periods.count, height: 200)
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "labeled")
        let barWidth = max(2, frame.band * 0.7)
        for period in data.periods {
            let x = frame.x(period.period) - barWidth / 2
            guard let share = coverageShare(period) else {
                svg.add("rect", ["x": n(x), "y": n(frame.top), "width": n(barWidth), "height": n(frame.plotHeight), "class": "bar-empty"],
                        tooltip: "Period \(period.period): no rows or not loaded")
                continue
            }
            let rows = period.coverage?.rows ?? period.metrics?.rows ?? 0
            let labeled = period.coverage?.labeled ?? period.metrics?.labeled ?? 0
            svg.add(
                "rect",
                [
                    "x": n(x), "y": n(frame.y(share)), "width": n(barWidth), "height": n(frame.yBottom - frame.y(share)),
                    "class": share < 0.5 ? "bar low" : "bar", "data-period": String(period.period),
                    "data-coverage": String(share),
                ],
                tooltip: "Period \(period.period): \(labeled) of \(rows) rows labeled (\(Format.percent(share)))")
        }
        return svg.render(label: "Labeled rows per period")
    }

    // MARK: Predicted-positive rate

    static func positiveRate(_ data: ReportData) -> String {
        var frame = Frame(periods: data.periods.count, height: 200)
        let values = data.periods.compactMap { $0.summary?.predictedPositiveRate }
        frame.low = max(0, ((values.min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        frame.high = min(1, ((values.max() ?? 1) * 10 + 0.5).rounded(.up) / 10)
        if frame.low >= frame.high { frame = Frame(periods: data.periods.count, height: 200) }
        var svg = SVG(width: width, height: frame.height)
        frame.axes(into: &svg, yTitle: "predicted positive")
        let points = data.periods.map { period in
            period.summary?.predictedPositiveRate.map { (frame.x(period.period), frame.y($0)) }
        }
        svg.polylines(points, class: "series accuracy")
        for (point, period) in zip(points, data.periods) {
            guard let point, let rate = period.summary?.predictedPositiveRate else { continue }
            svg.add(
                "circle",
                ["cx": n(point.0), "cy": n(point.1), "r": "4", "class": "point rate", "data-period": String(period.period)],
                tooltip: "Period \(period.period): \(Format.percent(rate)) predicted \(period.summary!.positiveLabel)")
        }
        return svg.render(label: "Predicted-positive rate per period")
    }

    // MARK: Score distribution

    static func scores(_ data: ReportData) -> String {
        let frame = Frame(periods: data.periods.count, height: 240)
        var svg = SVG(width: width, height: frame.height)
        let bins = 10
        let cellHeight = frame.plotHeight / Double(bins)
        for bin in 0...bins where bin % 2 == 0 {
            let y = frame.yBottom - Double(bin) * cellHeight
            svg.text(frame.left - 8, y + 4, n(Double(bin) / Double(bins)), class: "tick", anchor: "end")
        }
        svg.text(frame.left - 56, frame.top - 12, "score", class: "axis-title")
        let every = max(1, Int((Double(data.periods.count) / 25).rounded(.up)))
        for period in stride(from: 0, to: data.periods.count, by: every) {
            svg.text(frame.x(period), frame.yBottom + 16, String(period), class: "tick", anchor: "middle")
        }
        svg.text(frame.xEnd, frame.yBottom + 32, "period", class: "axis-title", anchor: "end")
        // Shades relative to the fullest bin of the chart: scores bunch up, and a
        // per-period or square-root scale washed every cell to the same pale blue.
        let fullest = data.periods.compactMap { period -> Double? in
            guard let bins = period.summary?.scores?.bins, let total = Optional(bins.reduce(0, +)), total > 0 else { return nil }
            return Double(bins.max() ?? 0) / Double(total)
        }.max() ?? 1
        for period in data.periods {
            let x = frame.x(period.period) - frame.band / 2 + 1
            guard let distribution = period.summary?.scores, distribution.bins.count == bins else {
                svg.add("rect", ["x": n(x), "y": n(frame.top), "width": n(frame.band - 2), "height": n(frame.plotHeight), "class": "cell-empty"],
                        tooltip: "Period \(period.period): no scores")
                continue
            }
            let total = max(distribution.bins.reduce(0, +), 1)
            for (bin, count) in distribution.bins.enumerated() {
                let share = Double(count) / Double(total)
                let shade = share == 0 ? 0 : 0.06 + 0.94 * share / max(fullest, 1e-9)
                svg.add(
                    "rect",
                    [
                        "x": n(x), "y": n(frame.yBottom - Double(bin + 1) * cellHeight), "width": n(frame.band - 2),
                        "height": n(cellHeight - 1), "fill": "#2f6fb3", "fill-opacity": String(format: "%.3f", shade),
                        "class": "cell", "data-period": String(period.period), "data-bin": String(bin),
                    ],
                    tooltip: "Period \(period.period), scores \(n(Double(bin) / 10))–\(n(Double(bin + 1) / 10)): "
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
