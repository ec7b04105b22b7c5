import ArgumentParser
import CommandSupport
import Foundation
import SweepStore

/// `nmsweep report`: the results as tables, CSV, JSON, or a figure (SVG, PDF, PNG); the verdicts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report results: ID/OOD accuracy by noise ratio and method, paired effects with 95 % intervals, verdicts, per task, the feature spectrum, and every cell not done.",
        discussion: """
            Every report says what it is made of: complete or PARTIAL, cells done of expected, failed and
            unfinished cells by grid point; means cover complete seeds only. Decision rules of the verdicts:
            docs/statistics.md. Views: docs/schema.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, markdown, csv, json, svg, pdf, png }

    @OptionGroup var store: StoreOptions

    @Option(help: "The sweep to report (default: every sweep; svg, pdf and png need one).")
    var sweep: String?

    @Option(help: "Output format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: Format = .table

    @Option(help: "For csv: the view to print (\(SweepDatabase.reportViews.joined(separator: ", "))). For json: only this view.")
    var view: String?

    @Flag(help: "Only the verdicts on the paper's three findings (table/markdown: text; json: an array).")
    var verdicts = false

    @Option(help: "Figures: panels, comma-separated, from \(FigureOptions.PanelKind.allCases.map(\.rawValue).joined(separator: ", ")) (or all).")
    var panels: String?

    @Option(help: "Figures: screen (default), single (3.5 in column), double (7.16 in), or WxH in inches (7x4; or 17.8x10cm, 178x100mm).")
    var size: String?

    @Option(help: "Figures: the title (default: the sweep's name).")
    var title: String?

    @Option(help: "Write to this file instead of standard output (required for pdf and png).")
    var out: String?

    func validate() throws {
        if let view, !SweepDatabase.reportViews.contains(view) {
            throw ValidationError("--view \(view) is not a report view; views: \(SweepDatabase.reportViews.joined(separator: ", "))")
        }
        let figure = [.svg, .pdf, .png].contains(format)
        if !figure, panels != nil || size != nil || title != nil {
            throw ValidationError("--panels, --size and --title are for figures (--format svg, pdf or png), not --format \(format.rawValue)")
        }
        if verdicts, ![.table, .markdown, .json].contains(format) {
            throw ValidationError("--verdicts prints text or JSON: use --format table, markdown or json, not \(format.rawValue)")
        }
        if [.pdf, .png].contains(format), out == nil {
            throw ValidationError("--format \(format.rawValue) writes a binary file: name it with --out FILE")
        }
        do {
            _ = try figureOptions()
        } catch let error as SweepStoreError {
            throw ValidationError(error.message)
        }
    }

    func figureOptions() throws -> FigureOptions {
        FigureOptions(panels: try panels.map(FigureOptions.parsePanels) ?? FigureOptions.defaultPanels,
                      size: try size.map(FigureOptions.parseSize) ?? .screen, title: title)
    }

    func run() throws {
        let db = try store.open()
        let options = try figureOptions()
        let text: String = try wrap {
            let sweeps = try sweep.map { [try db.requireSweep(named: $0)] } ?? db.sweeps()
            if verdicts {
                if sweeps.isEmpty { return format == .json ? "[]\n" : "no sweeps yet\n" }
                let all = try sweeps.map { ($0, Verdict.verdicts(try db.report(sweep: $0))) }
                if format == .json { return VerdictJSON.array(all) + "\n" }
                return all.map { s, v in
                    (format == .markdown ? "## Sweep \"\(s.name)\"\n\n" : "Sweep \"\(s.name)\"\n")
                        + ReportRenderer.verdictLines(v, markdown: format == .markdown).joined(separator: "\n") + "\n"
                }.joined(separator: "\n")
            }
            switch format {
            case .table, .markdown:
                if sweeps.isEmpty { return "no sweeps yet\n" }
                return try sweeps.map { s in
                    let report = try db.report(sweep: s)
                    return format == .table ? ReportRenderer.plainText(report) : ReportRenderer.markdown(report)
                }.joined(separator: "\n")
            case .csv:
                let sweepID = sweep == nil ? nil : sweeps.first?.id
                return ViewRenderer.csv(try db.viewRows(view ?? "id_ood_summary", sweepID: sweepID))
            case .json:
                return try db.reportJSON(sweeps: sweeps, sweepID: sweep == nil ? nil : sweeps.first?.id, view: view)
            case .svg, .pdf, .png:
                guard sweeps.count == 1, let only = sweeps.first else {
                    throw CommandFailure("a figure shows one sweep: name it with --sweep (sweeps: \(sweeps.map(\.name).joined(separator: ", ")))")
                }
                return SVGPlot.render(try db.report(sweep: only), options: options)
            }
        }
        if format == .pdf || format == .png, let out {
            try wrap {
                try FigureConverter.convert(svg: text, to: format == .pdf ? .pdf : .png, output: out,
                                            physicalSize: options.size != .screen)
            }
            FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
        } else if let out {
            do {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
        } else {
            print(text, terminator: "")
        }
    }
}
