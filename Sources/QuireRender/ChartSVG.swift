import QuireModel

/// A chart of figures: labelled values drawn as bars (totals by group) or as a line (a
/// series over time).
public struct Chart: Sendable, Equatable {
    /// How the values are drawn.
    public enum Kind: String, Sendable, Equatable {
        /// One bar per value, from zero.
        case bars
        /// A line through the values, in order.
        case line
    }

    /// One value and its label on the horizontal axis.
    public struct Point: Sendable, Equatable {
        /// The label (a group, a month).
        public var label: String
        /// The value.
        public var value: Double

        /// A point from its parts.
        public init(label: String, value: Double) {
            self.label = label
            self.value = value
        }
    }

    /// Bars or a line.
    public var kind: Kind
    /// The chart's title.
    public var title: String
    /// What the horizontal axis shows (a column's name).
    public var xLabel: String
    /// What the vertical axis measures, with its unit when known.
    public var yLabel: String
    /// The values, in the order drawn.
    public var points: [Point]
    /// A sentence under the title (what was left out, where the figures come from).
    public var note: String?

    /// A chart from its parts.
    public init(kind: Kind, title: String, xLabel: String, yLabel: String, points: [Point], note: String? = nil) {
        self.kind = kind
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.note = note
    }
}

/// Draws a ``Chart`` as a standalone, accessible SVG: a title and a description a screen
/// reader reads (`role="img"`, `<title>`, `<desc>` listing every value), axes with their
/// labels, a zero line and round ticks, each value's label and figure, and each bar or
/// point's `<title>` shown on hover. Only numbers and escaped text are written: a label
/// from a cell cannot inject markup.
public enum ChartSVG {
    static let width = 760.0
    static let height = 440.0
    static let left = 96.0
    static let right = 24.0
    static let top = 64.0
    static let bottom = 96.0

    /// Several charts one under the other in one SVG document (`title` names the whole);
    /// each keeps its own title, description and axes.
    public static func render(_ charts: [Chart], title: String) -> String {
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height * Double(charts.count)))\" viewBox=\"0 0 \(n(width)) \(n(height * Double(charts.count)))\" role=\"group\" aria-label=\"\(escape(title))\">",
            "<title>\(escape(title))</title>",
        ]
        for (index, chart) in charts.enumerated() {
            let inner = render(chart, id: "chart\(index + 1)")
            out.append("<svg y=\"\(n(height * Double(index)))\"" + inner.dropFirst("<svg".count).dropLast())
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The SVG document of `chart`; `id` prefixes its title's and description's ids (charts
    /// in one page need their own).
    public static func render(_ chart: Chart, id: String = "chart") -> String {
        let values = chart.points.map(\.value)
        let (low, high, step) = ticks(min: min(0, values.min() ?? 0), max: max(0, values.max() ?? 1))
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func y(_ value: Double) -> Double { top + plotHeight * (high - value) / (high - low) }
        var out: [String] = []
        let described = chart.points.map { "\($0.label): \(figure($0.value))" }.joined(separator: "; ")
        out.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"Helvetica, Arial, sans-serif\">"
        )
        out.append("<title id=\"\(id)-title\">\(escape(chart.title))</title>")
        out.append("<desc id=\"\(id)-desc\">\(escape((chart.kind == .bars ? "Bar chart. " : "Line chart. ") + described + "."))</desc>")
        out.append("<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>")
        out.append(
            "<text x=\"\(n(width / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"bold\" fill=\"#1a1a1a\">\(escape(chart.title))</text>")
        if let note = chart.note {
            out.append("<text x=\"\(n(width / 2))\" y=\"48\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555555\">\(escape(note))</text>")
        }
        // Grid and ticks.
        var tick = low
        while tick <= high + step / 2 {
            let ty = y(tick)
            out.append(
                "<line x1=\"\(n(left))\" y1=\"\(n(ty))\" x2=\"\(n(width - right))\" y2=\"\(n(ty))\" stroke=\"\(tick == 0 ? "#333333" : "#e0e0e0")\" stroke-width=\"1\"/>"
            )
            out.append("<text x=\"\(n(left - 8))\" y=\"\(n(ty + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333333\">\(escape(figure(tick)))</text>")
            tick += step
        }
        out.append(
            "<text x=\"18\" y=\"\(n(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#333333\" transform=\"rotate(-90 18 \(n(top + plotHeight / 2)))\">\(escape(chart.yLabel))</text>"
        )
        // The axis label sits under the category labels: lower when they are turned.
        let turned = turnsLabels(chart, slot: plotWidth / Double(max(chart.points.count, 1)))
        let labelY = turned ? height - 12 : height - bottom + 44
        out.append(
            "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(labelY))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#333333\">\(escape(chart.xLabel))</text>")
        out += marks(chart, plotWidth: plotWidth, y: y)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The bars or the line, with their labels and hover titles.
    static func marks(_ chart: Chart, plotWidth: Double, y: (Double) -> Double) -> [String] {
        var out: [String] = []
        let count = max(chart.points.count, 1)
        let slot = plotWidth / Double(count)
        // Labels turn when they would not fit side by side; values are written when they fit.
        let turned = turnsLabels(chart, slot: slot)
        let showValues = slot >= 36
        var line: [String] = []
        for (k, point) in chart.points.enumerated() {
            let cx = left + slot * (Double(k) + 0.5)
            let label = point.label.count > 24 ? String(point.label.prefix(23)) + "…" : point.label
            let hover = "<title>\(escape(point.label + ": " + figure(point.value)))</title>"
            switch chart.kind {
            case .bars:
                let barWidth = min(slot * 0.7, 80)
                let (y0, y1) = (y(max(point.value, 0)), y(min(point.value, 0)))
                out.append(
                    "<rect class=\"bar\" x=\"\(n(cx - barWidth / 2))\" y=\"\(n(y0))\" width=\"\(n(barWidth))\" height=\"\(n(y1 - y0))\" fill=\"#3b6ea5\" data-value=\"\(exact(point.value))\">\(hover)</rect>"
                )
                if showValues {
                    let ty = point.value >= 0 ? y0 - 6 : y1 + 14
                    out.append(
                        "<text x=\"\(n(cx))\" y=\"\(n(ty))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1a1a1a\">\(escape(figure(point.value)))</text>")
                }
            case .line:
                let py = y(point.value)
                line.append("\(n(cx)),\(n(py))")
                out.append(
                    "<circle class=\"point\" cx=\"\(n(cx))\" cy=\"\(n(py))\" r=\"4\" fill=\"#3b6ea5\" data-value=\"\(exact(point.value))\">\(hover)</circle>")
            }
            let ly = height - bottom + 18
            if turned {
                out.append(
                    "<text x=\"\(n(cx))\" y=\"\(n(ly))\" text-anchor=\"end\" font-size=\"11\" fill=\"#333333\" transform=\"rotate(-40 \(n(cx)) \(n(ly)))\">\(escape(label))</text>"
                )
            } else {
                out.append("<text x=\"\(n(cx))\" y=\"\(n(ly))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333333\">\(escape(label))</text>")
            }
        }
        if chart.kind == .line && !line.isEmpty {
            out.insert("<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#3b6ea5\" stroke-width=\"2\"/>", at: 0)
        }
        return out
    }

    /// Whether the category labels are turned: when they would not fit side by side.
    static func turnsLabels(_ chart: Chart, slot: Double) -> Bool {
        chart.points.contains { Double(min($0.label.count, 24)) * 7 > slot }
    }

    /// An axis from `min` to `max` in round steps (1, 2 or 5 times a power of ten), about
    /// five of them, always through zero.
    static func ticks(min: Double, max: Double) -> (low: Double, high: Double, step: Double) {
        // All values equal (all zero): an axis of five steps of the value, or of 1 at zero.
        let span = max - min > 0 ? max - min : Swift.max(abs(max), 1) * 5
        let raw = span / 5
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? power * 10
        let low = (min / step).rounded(.down) * step
        var high = (max / step).rounded(.up) * step
        if high == low { high = low + step }
        return (low, high, step)
    }

    /// A number as a reader writes it: thousands grouped, at most two decimals.
    public static func figure(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value != 0 && abs(value) < 0.995 {
            // Below one: three significant digits (a cost of 0.0021 is not "0").
            var digits = 2
            while digits < 12 && abs(value) * pow10(digits) < 99.5 { digits += 1 }
            let scaled = (value * pow10(digits)).rounded() / pow10(digits)
            return exact(scaled)
        }
        let rounded = (value * 100).rounded() / 100
        let negative = rounded < 0
        let whole = Int64(abs(rounded).rounded(.down))
        var cents = Int64((abs(rounded) * 100).rounded()) - whole * 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        var text = (negative ? "-" : "") + grouped
        if cents > 0 {
            if cents % 10 == 0 {
                cents /= 10
                text += ".\(cents)"
            } else {
                text += cents < 10 ? ".0\(cents)" : ".\(cents)"
            }
        }
        return text
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }

    /// A value as it is (for `data-value`): whole numbers without a decimal point.
    static func exact(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A coordinate with at most two decimals.
    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }

    /// Text for an SVG element or attribute.
    static func escape(_ text: String) -> String { text.xmlEscaped() }
}
