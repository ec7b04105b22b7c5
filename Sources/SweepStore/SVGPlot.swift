import Foundation

/// Self-contained SVG plots of a sweep: ID and OOD accuracy against noise ratio (one line per method,
/// error bars = standard deviation over seeds), and SVE and LSVR of the features against noise ratio.
///
/// One file, four panels, a title, a shared legend, axes with ticks and labels; no scripts, fonts or
/// images from elsewhere, so it opens anywhere and converts with `rsvg-convert`.
public enum SVGPlot {
    /// One line of a panel.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var color: String
        public var dashed: Bool
        /// (x, y, error) with error the half-height of the bar (nil: no bar).
        public var points: [(x: Double, y: Double, error: Double?)]

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.color == b.color && a.dashed == b.dashed && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y && $0.error == $1.error }
        }
    }

    /// One plot: title, axis labels and lines.
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var series: [Series]
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]

    static func color(for method: String, methods: [String]) -> String {
        palette[(methods.firstIndex(of: method) ?? 0) % palette.count]
    }

    /// The four panels of a report.
    public static func panels(_ report: SweepReport) -> [Panel] {
        let methods = report.methods
        func accuracySeries(_ pick: (SweepReport.Summary) -> (Double?, Double?)) -> [Series] {
            methods.map { method in
                let points = report.summary.filter { $0.method == method }.sorted { $0.noiseRatio < $1.noiseRatio }
                    .compactMap { s -> (x: Double, y: Double, error: Double?)? in
                        let (mean, std) = pick(s)
                        return mean.map { (s.noiseRatio * 100, $0 * 100, std.map { $0 * 100 }) }
                    }
                return Series(name: SweepReport.displayName(method), color: color(for: method, methods: methods), dashed: false, points: points)
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
                return Series(name: frozen ? "frozen features" : "\(SweepReport.displayName(f)) (tuned)",
                              color: frozen ? "#444444" : color(for: f, methods: methods), dashed: frozen, points: points)
            }.filter { !$0.points.isEmpty }
        }
        let x = "pre-training label noise (%)"
        return [
            Panel(title: "In-distribution accuracy", xLabel: x, yLabel: "accuracy (%)", series: accuracySeries { ($0.idMean, $0.idStd) }),
            Panel(title: "Out-of-distribution accuracy", xLabel: x, yLabel: "accuracy (%)", series: accuracySeries { ($0.oodMean, $0.oodStd) }),
            Panel(title: "Singular value entropy (SVE)", xLabel: x, yLabel: "SVE", series: spectrumSeries { ($0.sveMean, $0.sveStd) }),
            Panel(title: "Largest singular value ratio (LSVR)", xLabel: x, yLabel: "LSVR", series: spectrumSeries { ($0.lsvrMean, $0.lsvrStd) }),
        ]
    }

    /// The report's plots as one SVG document.
    public static func render(_ report: SweepReport) -> String {
        render(title: "Sweep \u{201C}\(report.sweep.name)\u{201D}: accuracy and feature spectrum vs. label noise",
               subtitle: "mean over seeds; error bars: ±1 standard deviation over seeds",
               panels: panels(report))
    }

    /// Panels laid out two per row under a title and a legend of every series name.
    public static func render(title: String, subtitle: String, panels: [Panel]) -> String {
        let panelWidth = 520.0, panelHeight = 340.0
        let columns = 2
        let rows = (panels.count + columns - 1) / columns
        var legend = [(String, String, Bool)]()
        for panel in panels { for s in panel.series where !legend.contains(where: { $0.0 == s.name }) { legend.append((s.name, s.color, s.dashed)) } }
        let top = 110.0
        let width = panelWidth * Double(columns) + 20
        let height = top + panelHeight * Double(rows) + 10
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="30" text-anchor="middle" font-size="19" font-weight="bold">\(escape(title))</text>
            <text x="\(width / 2)" y="52" text-anchor="middle" font-size="13" fill="#555">\(escape(subtitle))</text>

            """
        // Legend: a centred row of swatches.
        let itemWidths = legend.map { 52.0 + Double($0.0.count) * 8.0 }
        var lx = (width - itemWidths.reduce(0, +)) / 2
        for (i, item) in legend.enumerated() {
            let dash = item.2 ? " stroke-dasharray=\"6 4\"" : ""
            svg += "<line x1=\"\(f(lx))\" y1=\"80\" x2=\"\(f(lx + 26))\" y2=\"80\" stroke=\"\(item.1)\" stroke-width=\"2.5\"\(dash)/>"
            svg += "<circle cx=\"\(f(lx + 13))\" cy=\"80\" r=\"3.5\" fill=\"\(item.1)\"/>"
            svg += "<text x=\"\(f(lx + 32))\" y=\"85\" font-size=\"13\">\(escape(item.0))</text>\n"
            lx += itemWidths[i]
        }
        for (i, panel) in panels.enumerated() {
            let ox = 10 + Double(i % columns) * panelWidth
            let oy = top + Double(i / columns) * panelHeight
            svg += renderPanel(panel, x: ox, y: oy, width: panelWidth, height: panelHeight)
        }
        return svg + "</svg>\n"
    }

    static func renderPanel(_ panel: Panel, x: Double, y: Double, width: Double, height: Double) -> String {
        let left = x + 70, right = x + width - 20, top = y + 30, bottom = y + height - 55
        let all = panel.series.flatMap(\.points)
        var out = "<g>\n<text x=\"\(f((left + right) / 2))\" y=\"\(f(y + 18))\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        guard !all.isEmpty else {
            return out + "<text x=\"\(f((left + right) / 2))\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#777\">no data</text>\n</g>\n"
        }
        let xs = niceScale(all.map(\.x).min()!, all.map(\.x).max()!)
        let ys = niceScale(all.map { $0.y - ($0.error ?? 0) }.min()!, all.map { $0.y + ($0.error ?? 0) }.max()!)
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
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 40))\" text-anchor=\"middle\" font-size=\"13\">\(escape(panel.xLabel))</text>\n"
        out += "<text transform=\"translate(\(f(x + 20)) \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(escape(panel.yLabel))</text>\n"
        for s in panel.series {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2.2\"\(dash)><title>\(escape(s.name))</title></polyline>\n"
            for p in s.points {
                if let e = p.error, e > 0 {
                    let cx = px(p.x)
                    out += "<path d=\"M\(f(cx)),\(f(py(p.y - e)))V\(f(py(p.y + e)))M\(f(cx - 4)),\(f(py(p.y - e)))h8M\(f(cx - 4)),\(f(py(p.y + e)))h8\" stroke=\"\(s.color)\" stroke-width=\"1.4\" fill=\"none\"/>"
                }
                out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(s.color)\"><title>\(escape(s.name)): \(String(format: "%.4g", p.y))\(p.error.map { String(format: " ± %.3g", $0) } ?? "")</title></circle>\n"
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
