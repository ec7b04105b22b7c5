import ArgumentParser
import Foundation
import SweepStore

/// `nmsweep report`: the results as tables, CSV, JSON or SVG plots.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report results: ID/OOD accuracy by noise ratio and method, per task, and the feature spectrum.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, markdown, csv, json, svg }

    @OptionGroup var store: StoreOptions

    @Option(help: "The sweep to report (default: every sweep; svg needs one).")
    var sweep: String?

    @Option(help: "Output format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: Format = .table

    @Option(help: "For csv: the view to print (\(SweepDatabase.reportViews.joined(separator: ", "))). For json: only this view.")
    var view: String?

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    func validate() throws {
        if let view, !SweepDatabase.reportViews.contains(view) {
            throw ValidationError("--view \(view) is not a report view; views: \(SweepDatabase.reportViews.joined(separator: ", "))")
        }
    }

    func run() throws {
        let db = try store.open()
        let text: String = try wrap {
            let sweeps = try sweep.map { [try db.requireSweep(named: $0)] } ?? db.sweeps()
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
                let sweepID = sweep == nil ? nil : sweeps.first?.id
                let views = view.map { [$0] } ?? SweepDatabase.reportViews
                let members = try views.map { "\(ViewRenderer.jsonString($0)):\(ViewRenderer.jsonArray(try db.viewRows($0, sweepID: sweepID)))" }
                return "{" + members.joined(separator: ",\n") + "}\n"
            case .svg:
                guard sweeps.count == 1, let only = sweeps.first else {
                    throw CommandFailure("svg plots one sweep: name it with --sweep (sweeps: \(sweeps.map(\.name).joined(separator: ", ")))")
                }
                return SVGPlot.render(try db.report(sweep: only))
            }
        }
        if let out {
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
