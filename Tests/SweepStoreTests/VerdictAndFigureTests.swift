import NoisyCore
import Foundation
import SweepStore
import TestSupport
import Testing

/// The verdict rules (docs/statistics.md) on hand-written intervals.
@Suite struct VerdictTests {
    static func effect(_ effect: String, _ kind: TaskKind, metric: String = "accuracy", method: String?, noise: Double?,
                       low: Double, high: Double, n: Int = 5) -> SweepReport.Effect {
        SweepReport.Effect(effect: effect, metric: metric, taskDomain: "transfer", taskKind: kind, method: method,
                           noiseRatio: noise, n: n, seedsExpected: n, mean: (low + high) / 2, stdErr: (high - low) / 5,
                           ciLow: low, ciHigh: high, excludesZero: low > 0 || high < 0)
    }

    @Test func partRule() {
        let up = Self.effect("noise", .id, method: "lp", noise: 0.1, low: 0.001, high: 0.02)
        let across = Self.effect("noise", .id, method: "lp", noise: 0.1, low: -0.001, high: 0.02)
        let down = Self.effect("noise", .id, method: "lp", noise: 0.1, low: -0.02, high: -0.001)
        #expect(Verdict.judge(up, predictedSign: 1).0 == .reproduced)
        #expect(Verdict.judge(up, predictedSign: -1).0 == .contradicted)
        #expect(Verdict.judge(down, predictedSign: -1).0 == .reproduced)
        #expect(Verdict.judge(across, predictedSign: 1).0 == .inconclusive)
        #expect(Verdict.judge(nil, predictedSign: 1) == (.inconclusive, "not measured"))
        var single = up
        single.n = 1; single.ciLow = nil; single.ciHigh = nil
        #expect(Verdict.judge(single, predictedSign: 1).0 == .inconclusive)
    }

    /// Finding 3 over two noise ratios: all eight parts positive → reproduced; one interval below 0 →
    /// contradicted whatever the rest; one covering 0 → inconclusive.
    @Test func findingRule() {
        var effects = [SweepReport.Effect]()
        for baseline in ["lp", "mlp"] {
            for kind in TaskKind.allCases {
                for noise in [0.0, 0.2] {
                    effects.append(Self.effect("nmtune-\(baseline)", kind, method: "nmtune", noise: noise, low: 0.005, high: 0.03))
                }
            }
        }
        #expect(Verdict.verdicts(effects: effects, noiseRatios: [0, 0.2])[2].outcome == .reproduced)
        var covering = effects
        covering[3] = Self.effect("nmtune-lp", .ood, method: "nmtune", noise: 0.2, low: -0.01, high: 0.03)
        let inconclusive = Verdict.verdicts(effects: covering, noiseRatios: [0, 0.2])[2]
        #expect(inconclusive.outcome == .inconclusive && inconclusive.count(.inconclusive) == 1 && inconclusive.count(.reproduced) == 7)
        var against = covering
        against[5] = Self.effect("nmtune-mlp", .id, method: "nmtune", noise: 0.2, low: -0.03, high: -0.01)
        #expect(Verdict.verdicts(effects: against, noiseRatios: [0, 0.2])[2].outcome == .contradicted)

        // Finding 1 without a slight noise ratio in the grid cannot be reproduced.
        let one = Verdict.verdicts(effects: [
            Self.effect("noise", .ood, method: "lp", noise: 0.2, low: -0.05, high: -0.01),
            Self.effect("slope", .ood, method: "lp", noise: nil, low: -0.3, high: -0.1),
        ], noiseRatios: [0, 0.2])[0]
        #expect(one.outcome == .inconclusive && one.count(.reproduced) == 2)
        #expect(one.parts.first?.reason == "no slight noise ratio (5 %, 10 %) in the grid")

        // Finding 2: rising SVE and LSVR slopes on ID and OOD tasks.
        let two = Verdict.verdicts(effects: ["sve", "lsvr"].flatMap { m in
            TaskKind.allCases.map { Self.effect("slope", $0, metric: m, method: nil, noise: nil, low: 0.1, high: 0.5) }
        }, noiseRatios: [0, 0.1])[1]
        #expect(two.outcome == .reproduced && two.parts.count == 4)
    }
}

/// Figure options and the converter.
@Suite struct FigureTests {
    @Test func sizesAndPanelsParseOrSayWhy() throws {
        #expect(try FigureOptions.parseSize("single") == .single)
        #expect(try FigureOptions.parseSize("double") == .double)
        #expect(try FigureOptions.parseSize("7x4") == .inches(width: 7, height: 4))
        guard case .inches(let w, let h) = try FigureOptions.parseSize("254x127mm") else { Issue.record("not inches"); return }
        #expect(abs(w - 10) < 1e-12 && abs(h - 5) < 1e-12)
        for bad in ["7x", "x4", "seven", "0.5x3", "7x4x2"] {
            #expect(throws: SweepStoreError.self) { try FigureOptions.parseSize(bad) }
            do { _ = try FigureOptions.parseSize(bad) } catch { #expect("\(error)".contains(bad)) }
        }
        #expect(try FigureOptions.parsePanels("ood, id,ood") == [.ood, .id])
        #expect(try FigureOptions.parsePanels("all") == FigureOptions.PanelKind.allCases)
        do {
            _ = try FigureOptions.parsePanels("id,spectrum")
            Issue.record("an unknown panel was accepted")
        } catch {
            #expect("\(error)".contains("\"spectrum\"") && "\(error)".contains("id-effect"))
        }
    }

    /// One legend entry per colour and line style: the tuned-feature lines (dotted, in their
    /// method's colour) add one style entry instead of a second "MLP".
    @Test func legendHasNoDuplicateColours() {
        let red = "#d62728"
        let panels = [
            SVGPlot.Panel(title: "ID", xLabel: "x", yLabel: "y", series: [
                SVGPlot.Series(name: "LP", color: "#1f77b4", points: [(0, 1, 0.1)]),
                SVGPlot.Series(name: "MLP", color: red, points: [(0, 1, 0.1)]),
            ]),
            SVGPlot.Panel(title: "SVE", xLabel: "x", yLabel: "y", series: [
                SVGPlot.Series(name: "frozen features", color: "#444444", style: .dashed, points: [(0, 1, nil)]),
                SVGPlot.Series(name: "MLP", color: red, style: .dotted, points: [(0, 2, nil)]),
                SVGPlot.Series(name: "NMTune", color: "#2ca02c", style: .dotted, points: [(0, 2, nil)]),
            ]),
        ]
        let legend = SVGPlot.legend(panels)
        #expect(legend.map(\.label) == ["LP", "MLP", "frozen features", "NMTune", "tuned features (method colour)"])
        #expect(Set(legend.map(\.color)).count == legend.count)
        #expect(Set(legend.map(\.label)).count == legend.count)
    }

    /// Markers of different methods at the same noise ratio sit apart; bands are drawn; sizes in inches.
    @Test func errorBarsOffsetBandsAndPhysicalSize() throws {
        let panel = SVGPlot.Panel(title: "ID", xLabel: "x", yLabel: "y", series: [
            SVGPlot.Series(name: "LP", color: "#1f77b4", points: [(0, 80, 1), (10, 81, 1)], band: [(0, 79, 81), (10, 80, 82)]),
            SVGPlot.Series(name: "NMTune", color: "#2ca02c", points: [(0, 80, 1), (10, 81, 1)]),
        ])
        let svg = SVGPlot.render(title: "t", subtitle: "s", panels: [panel], options: FigureOptions(size: .single))
        #expect(svg.contains("width=\"3.500in\""))
        #expect(svg.components(separatedBy: "<polygon").count == 2)
        func markerX(_ name: String) -> String? {
            guard let range = svg.range(of: "<title>\(name): 80 ±") else { return nil }
            let before = svg[..<range.lowerBound]
            guard let cx = before.range(of: "cx=\"", options: .backwards) else { return nil }
            return String(before[cx.upperBound...].prefix { $0 != "\"" })
        }
        let lp = try #require(markerX("LP")), nmtune = try #require(markerX("NMTune"))
        #expect(abs(Double(lp)! - Double(nmtune)!) == 6)
    }

    @Test func pngAndPDFThroughRsvgConvertOrAClearError() throws {
        let svg = SVGPlot.render(title: "t", subtitle: "s", panels: [
            SVGPlot.Panel(title: "p", xLabel: "x", yLabel: "y", series: [SVGPlot.Series(name: "LP", color: "#1f77b4", points: [(0, 1, nil), (1, 2, nil)])]),
        ])
        let png = NSTemporaryDirectory() + "nmsweep-figure-test-\(getpid()).png"
        let pdf = NSTemporaryDirectory() + "nmsweep-figure-test-\(getpid()).pdf"
        defer { unlink(png); unlink(pdf) }
        if FigureConverter.converterPath() != nil {
            try FigureConverter.convert(svg: svg, to: .png, output: png, physicalSize: false)
            try FigureConverter.convert(svg: svg, to: .pdf, output: pdf, physicalSize: false)
            let pngBytes = try Data(contentsOf: URL(fileURLWithPath: png))
            let pdfBytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
            #expect(Array(pngBytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(String(decoding: pdfBytes.prefix(5), as: UTF8.self) == "%PDF-")
        } else {
            do {
                try FigureConverter.convert(svg: svg, to: .png, output: png, physicalSize: false)
                Issue.record("conversion without rsvg-convert succeeded")
            } catch {
                #expect("\(error)".contains("librsvg2-bin"))
            }
        }
    }
}
