/// A small SVG document builder: elements with escaped attributes and text.
struct SVG {
    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Adds `<name attributes…>` with optional text content (escaped).
    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        var element = "<\(name)"
        for (key, value) in attributes where !value.isEmpty {
            element += " \(key)=\"\(HTML.escape(value))\""
        }
        if let text {
            element += ">\(HTML.escape(text))</\(name)>"
        } else {
            element += "/>"
        }
        elements.append(element)
    }

    /// Adds `<name attributes…><title>tooltip</title></name>`: an element with a hover text.
    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, tooltip: String) {
        var element = "<\(name)"
        for (key, value) in attributes where !value.isEmpty {
            element += " \(key)=\"\(HTML.escape(value))\""
        }
        element += "><title>\(HTML.escape(tooltip))</title></\(name)>"
        elements.append(element)
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class className: String) {
        add("line", ["x1": n(x1), "y1": n(y1), "x2": n(x2), "y2": n(y2), "class": className])
    }

    mutating func text(_ x: Double, _ y: Double, _ content: String, class className: String, anchor: String = "start") {
        add("text", ["x": n(x), "y": n(y), "class": className, "text-anchor": anchor], text: content)
    }

    /// Polylines through `points`, broken where a point is `nil`.
    mutating func polylines(_ points: [(Double, Double)?], class className: String) {
        var run: [(Double, Double)] = []
        func flush() {
            if run.count >= 2 {
                add("polyline", ["points": run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "), "class": className])
            }
            run = []
        }
        for point in points {
            if let point { run.append(point) } else { flush() }
        }
        flush()
    }

    /// The document, with a title and description for screen readers.
    func render(label: String) -> String {
        "<svg viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(label))\">" + elements.joined() + "</svg>"
    }
}

/// A coordinate with at most two decimals.
func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
