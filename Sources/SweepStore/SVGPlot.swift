import NoisyCore
import Foundation

/// Self-contained SVG figures of a sweep: accuracy against noise ratio (one line per method, error
/// bars = standard deviation over seeds, a shaded 95 % interval of the mean), the paired change from
/// noise 0 with its 95 % interval band, and SVE and LSVR of the features against noise ratio.
///
/// One file, the chosen panels, a title, one legend entry per colour or line style; no scripts, fonts
/// or images from elsewhere, so it opens anywhere and converts with `rsvg-convert` (``FigureConverter``).
public enum SVGPlot {
    /// How a line is drawn.
    public enum LineStyle: String, Sendable, Equatable { case solid, dashed, dotted }

    /// One line of a panel.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var color: String
        public var style: LineStyle
        /// (x, y, error) with error the half-height of the bar (nil: no bar).
        public var points: [(x: Double, y: Double, error: Double?)]
        /// A shaded interval (x, low, high) behind the line, e.g. a 95 % confidence interval.
        public var band: [(x: Double, low: Double, high: Double)]

        public init(name: String, color: String, style: LineStyle = .solid,
                    points: [(x: Double, y: Double, error: Double?)], band: [(x: Double, low: Double, high: Double)] = []) {
            self.name = name
            self.color = color
            self.style = style
            self.points = points
            self.band = band
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.color == b.color && a.style == b.style && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y && $0.error == $1.error }
                && a.band.count == b.band.count
                && zip(a.band, b.band).allSatisfy { $0.x == $1.x && $0.low == $1.low && $0.high == $1.high }
        }
    }

    /// One plot: title, axis labels and lines.
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var series: [Series]
        /// Draw a horizontal line at y = 0 (effects).
        public var zeroLine: Bool

        public init(title: String, xLabel: String, yLabel: String, series: [Series], zeroLine: Bool = false) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.series = series
            self.zeroLine = zeroLine
        }
    }

    /// An entry of the legend: a colour with a line style and a label.
    public struct LegendEntry: Sendable, Equatable {
        public var label: String
        public var color: String
        public var style: LineStyle
        public var marker: Bool
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
    static let frozenColor = "#444444"

    static func color(for method: String, methods: [String]) -> String {
        palette[(methods.firstIndex(of: method) ?? 0) % palette.count]
    }

    /// The panels of a report, in the order `options.panels` names them.
    public static func panels(_ report: SweepReport, options: FigureOptions = FigureOptions()) -> [Panel] {
        let methods = report.methods
        let x = "pre-training label noise (%)"
        func accuracySeries(_ kind: TaskKind) -> [Series] {
            methods.map { method in
                let groups = report.groups.filter { $0.method == method && $0.taskKind == kind && $0.taskDomain == "transfer" }
                    .sorted { $0.noiseRatio < $1.noiseRatio }
                let points = groups.compactMap { g -> (x: Double, y: Double, error: Double?)? in
                    g.mean.map { (g.noiseRatio * 100, $0 * 100, g.std.map { $0 * 100 }) }
                }
                let band = groups.compactMap { g -> (x: Double, low: Double, high: Double)? in
                    guard let lo = g.ciLow, let hi = g.ciHigh else { return nil }
                    return (g.noiseRatio * 100, lo * 100, hi * 100)
                }
                return Series(name: SweepReport.displayName(method), color: color(for: method, methods: methods), points: points, band: band)
            }.filter { !$0.points.isEmpty }
        }
        func effectSeries(_ kind: TaskKind) -> [Series] {
            methods.map { method in
                let rows = report.effects.filter {
                    $0.effect == "noise" && $0.metric == "accuracy" && $0.method == method && $0.taskKind == kind
                        && $0.taskDomain == "transfer" && $0.task == nil
                }.sorted { ($0.noiseRatio ?? 0) < ($1.noiseRatio ?? 0) }
                var points: [(x: Double, y: Double, error: Double?)] = rows.isEmpty ? [] : [(0, 0, nil)]
                var band: [(x: Double, low: Double, high: Double)] = rows.isEmpty ? [] : [(0, 0, 0)]
                for e in rows {
                    guard let r = e.noiseRatio, let m = e.mean else { continue }
                    points.append((r * 100, m * 100, nil))
                    if let lo = e.ciLow, let hi = e.ciHigh { band.append((r * 100, lo * 100, hi * 100)) }
                }
                return Series(name: SweepReport.displayName(method), color: color(for: method, methods: methods),
                              points: points.count > 1 ? points : [], band: band.count > 1 ? band : [])
            }.filter { !$0.points.isEmpty }
        }
        func spectrumSeries(_ pick: (SweepReport.Spectrum) -> (Double?, Double?)) -> [Series] {
            var features = ["frozen"]
            for s in report.spectrumByNoise where !features.contains(s.features) { features.append(s.features) }
            return features.map { f in
                let points = report.spectrumByNoise.filter { $0.features == f }.sorted { $0.noiseRatio < $1.noiseRatio }
                    .compactMap { s -> (x: Double, y: Double, error: Double?)? in
                        let (mean, std) = pick(s)
                        return mean.map { (s.noiseRatio * 100, $0, std) }
                    }
                let frozen = f == "frozen"
                // Tuned features keep their method's colour and name, drawn dotted: the legend then
                // has one entry per colour (the method) and one per line style.
                return Series(name: frozen ? "frozen features" : SweepReport.displayName(f),
                              color: frozen ? frozenColor : color(for: f, methods: methods),
                              style: frozen ? .dashed : .dotted, points: points)
            }.filter { !$0.points.isEmpty }
        }
        return options.panels.map { kind in
            switch kind {
            case .id:
                return Panel(title: "ID accuracy (transfer tasks)", xLabel: x, yLabel: "accuracy (%)", series: accuracySeries(.id))
            case .ood:
                return Panel(title: "OOD accuracy (transfer tasks)", xLabel: x, yLabel: "accuracy (%)", series: accuracySeries(.ood))
            case .idEffect:
                return Panel(title: "ID accuracy change from noise 0", xLabel: x, yLabel: "paired difference (points)",
                             series: effectSeries(.id), zeroLine: true)
            case .oodEffect:
                return Panel(title: "OOD accuracy change from noise 0", xLabel: x, yLabel: "paired difference (points)",
                             series: effectSeries(.ood), zeroLine: true)
            case .sve:
                return Panel(title: "Singular value entropy (SVE)", xLabel: x, yLabel: "SVE", series: spectrumSeries { ($0.sveMean, $0.sveStd) })
            case .lsvr:
                return Panel(title: "Largest singular value ratio (LSVR)", xLabel: x, yLabel: "LSVR", series: spectrumSeries { ($0.lsvrMean, $0.lsvrStd) })
            }
        }
    }

    /// The report's figure as one SVG document.
    public static func render(_ report: SweepReport, options: FigureOptions = FigureOptions()) -> String {
        var subtitle = "mean over complete seeds; bars: ±1 std over seeds; bands: 95 % interval (paired by seed for changes)"
        if !report.isComplete {
            subtitle = "PARTIAL: \(report.cells(nil, .done)) of \(report.cells()) cells done — " + subtitle
        }
        return render(title: options.title ?? "Sweep \u{201C}\(report.sweep.name)\u{201D}: accuracy and feature spectrum vs. label noise",
                      subtitle: subtitle, panels: panels(report, options: options), options: options)
    }

    /// The legend of a set of panels: one entry per (colour, style) pair, first label wins; dotted
    /// tuned-feature lines share their method's colour, so they add one "tuned features" style entry.
    public static func legend(_ panels: [Panel]) -> [LegendEntry] {
        var entries = [LegendEntry]()
        var tuned = false
        for panel in panels {
            for s in panel.series {
                if s.style == .dotted { tuned = true; continue }
                if !entries.contains(where: { $0.color == s.color && $0.style == s.style }) {
                    entries.append(LegendEntry(label: s.name, color: s.color, style: s.style, marker: true))
                }
            }
        }
        // A method seen only as tuned features still needs its colour named.
        for panel in panels {
            for s in panel.series where s.style == .dotted && !entries.contains(where: { $0.color == s.color }) {
                entries.append(LegendEntry(label: s.name, color: s.color, style: .solid, marker: true))
            }
        }
        if tuned { entries.append(LegendEntry(label: "tuned features (method colour)", color: "#000000", style: .dotted, marker: false)) }
        return entries
    }

    /// Panels laid out in rows under a title and a legend.
    public static func render(title: String, subtitle: String, panels: [Panel], options: FigureOptions = FigureOptions()) -> String {
        var layout = options.layout(panelCount: panels.count)
        let legend = legend(panels)
        let width = layout.panelWidth * Double(layout.columns) + 20
        // Legend rows: items wrap at the figure's width.
        let itemWidths = legend.map { 52.0 + Double($0.label.count) * 7.5 }
        var legendRows = [[Int]]()
        var rowWidth = 0.0
        for (i, w) in itemWidths.enumerated() {
            if legendRows.isEmpty || rowWidth + w > width - 20 { legendRows.append([]); rowWidth = 0 }
            legendRows[legendRows.count - 1].append(i)
            rowWidth += w
        }
        layout = options.layout(panelCount: panels.count, legendRows: legendRows.count)
        let top = 62.0 + 24.0 * Double(max(1, legendRows.count)) + 14
        let rows = (panels.count + layout.columns - 1) / layout.columns
        let height = top + layout.panelHeight * Double(rows) + 10
        let sizeAttributes = layout.physical.map { "width=\"\(f3($0.width))in\" height=\"\(f3($0.width * height / width))in\"" }
            ?? "width=\"\(Int(width))\" height=\"\(Int(height))\""
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" \(sizeAttributes) viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="30" text-anchor="middle" font-size="\(fit(title, 19, width, bold: true))" font-weight="bold">\(escape(title))</text>
            <text x="\(width / 2)" y="52" text-anchor="middle" font-size="\(fit(subtitle, 13, width, bold: false))" fill="#555">\(escape(subtitle))</text>

            """
        for (r, row) in legendRows.enumerated() {
            let y = 76.0 + 24 * Double(r)
            var lx = (width - row.map { itemWidths[$0] }.reduce(0, +)) / 2
            for i in row {
                let item = legend[i]
                svg += "<line x1=\"\(f(lx))\" y1=\"\(f(y))\" x2=\"\(f(lx + 26))\" y2=\"\(f(y))\" stroke=\"\(item.color)\" stroke-width=\"2.5\"\(dash(item.style))/>"
                if item.marker { svg += "<circle cx=\"\(f(lx + 13))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(item.color)\"/>" }
                svg += "<text x=\"\(f(lx + 32))\" y=\"\(f(y + 5))\" font-size=\"13\">\(escape(item.label))</text>\n"
                lx += itemWidths[i]
            }
        }
        for (i, panel) in panels.enumerated() {
            let ox = 10 + Double(i % layout.columns) * layout.panelWidth
            let oy = top + Double(i / layout.columns) * layout.panelHeight
            svg += renderPanel(panel, x: ox, y: oy, width: layout.panelWidth, height: layout.panelHeight)
        }
        return svg + "</svg>\n"
    }

    /// A font size at most `size` at which `text` fits in `width` (DejaVu Sans: ~0.6 em a character, bold ~0.66).
    static func fit(_ text: String, _ size: Double, _ width: Double, bold: Bool) -> String {
        let perCharacter = bold ? 0.66 : 0.6
        return f(min(size, (width - 24) / (perCharacter * Double(max(1, text.count)))))
    }

    static func dash(_ style: LineStyle) -> String {
        switch style {
        case .solid: return ""
        case .dashed: return " stroke-dasharray=\"6 4\""
        case .dotted: return " stroke-dasharray=\"2 3\""
        }
    }

    static func renderPanel(_ panel: Panel, x: Double, y: Double, width: Double, height: Double) -> String {
        let left = x + 70, right = x + width - 20, top = y + 30, bottom = y + height - 55
        let all = panel.series.flatMap(\.points)
        var out = "<g>\n<text x=\"\(f((left + right) / 2))\" y=\"\(f(y + 18))\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        guard !all.isEmpty else {
            return out + "<text x=\"\(f((left + right) / 2))\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#777\">no data</text>\n</g>\n"
        }
        let bands = panel.series.flatMap(\.band)
        var yLow = all.map { $0.y - ($0.error ?? 0) } + bands.map(\.low)
        var yHigh = all.map { $0.y + ($0.error ?? 0) } + bands.map(\.high)
        if panel.zeroLine { yLow.append(0); yHigh.append(0) }
        let xs = niceScale(all.map(\.x).min()!, all.map(\.x).max()!)
        let ys = niceScale(yLow.min()!, yHigh.max()!)
        func px(_ v: Double) -> Double { left + (v - xs.lo) / (xs.hi - xs.lo) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - ys.lo) / (ys.hi - ys.lo) * (bottom - top) }
        // Grid and ticks.
        for t in ys.ticks {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(right))\" y2=\"\(f(py(t)))\" stroke=\"#e5e5e5\"/>"
            out += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\" stroke=\"black\"/>"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\" font-size=\"12\">\(tickLabel(t, step: ys.step))</text>\n"
        }
        for t in xs.ticks {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(bottom))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom + 5))\" stroke=\"black\"/>"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 19))\" text-anchor=\"middle\" font-size=\"12\">\(tickLabel(t, step: xs.step))</text>\n"
        }
        if panel.zeroLine {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(right))\" y2=\"\(f(py(0)))\" stroke=\"#888\" stroke-width=\"1.2\"/>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 40))\" text-anchor=\"middle\" font-size=\"13\">\(escape(panel.xLabel))</text>\n"
        out += "<text transform=\"translate(\(f(x + 20)) \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(escape(panel.yLabel))</text>\n"
        // Bands first, so every line and marker stays visible above them.
        for s in panel.series where s.band.count >= 2 {
            let upper = s.band.map { "\(f(px($0.x))),\(f(py($0.high)))" }
            let lower = s.band.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" }
            out += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\"><title>\(escape(s.name)): 95 % interval</title></polygon>\n"
        }
        // Markers and error bars of the methods sit side by side around each x, 6 units apart.
        let barred = panel.series.filter { $0.points.contains { ($0.error ?? 0) > 0 } }
        for s in panel.series {
            let slot = barred.firstIndex(of: s).map { Double($0) - Double(barred.count - 1) / 2 } ?? 0
            let shift = slot * 6
            let path = s.points.map { "\(f(px($0.x) + shift)),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2.2\"\(dash(s.style))><title>\(escape(s.name))</title></polyline>\n"
            for p in s.points {
                let cx = px(p.x) + shift
                if let e = p.error, e > 0 {
                    out += "<path d=\"M\(f(cx)),\(f(py(p.y - e)))V\(f(py(p.y + e)))M\(f(cx - 3)),\(f(py(p.y - e)))h6M\(f(cx - 3)),\(f(py(p.y + e)))h6\" stroke=\"\(s.color)\" stroke-width=\"1.4\" fill=\"none\"/>"
                }
                out += "<circle cx=\"\(f(cx))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(s.color)\"><title>\(escape(s.name)): \(String(format: "%.4g", p.y))\(p.error.map { String(format: " ± %.3g", $0) } ?? "")</title></circle>\n"
            }
        }
        return out + "</g>\n"
    }

    /// Axis range and ticks at 1, 2 or 5 × 10^k, about five of them, covering [lo, hi].
    static func niceScale(_ lo: Double, _ hi: Double) -> (lo: Double, hi: Double, step: Double, ticks: [Double]) {
        var lo = lo, hi = hi
        if hi - lo < 1e-12 { let pad = max(abs(lo) * 0.05, 1e-3); lo -= pad; hi += pad }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let start = floor(lo / step) * step, end = ceil(hi / step) * step
        var ticks = [Double]()
        var t = start
        while t <= end + step * 1e-9 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return (start, end, step, ticks)
    }

    static func tickLabel(_ v: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
    static func f3(_ v: Double) -> String { String(format: "%.3f", v) }

    /// Text escaped for SVG/XML content and attributes.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
