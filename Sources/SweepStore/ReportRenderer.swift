import Foundation
public import Postgres

/// Turns a ``SweepReport`` into the tables a person reads (plain text or Markdown) in the paper's
/// shape: rows are noise ratios, columns LP/MLP/NMTune × ID/OOD accuracy (mean ± std over seeds, in %).
public enum ReportRenderer {
    /// The tables of a report: the ID/OOD summary, the change from noise 0, one table per task, the spectrum.
    public static func tables(_ report: SweepReport) -> [TextTable] {
        let methods = report.methods
        let noises = report.noiseRatios
        var tables = [TextTable]()
        let name = "\"\(report.sweep.name)\""

        var summaryRows = [[String]]()
        for noise in noises {
            var row = [formatNoise(noise)]
            for method in methods {
                let s = report.summary.first { $0.noiseRatio == noise && $0.method == method }
                row.append(percent(s?.idMean, s?.idStd))
                row.append(percent(s?.oodMean, s?.oodStd))
            }
            summaryRows.append(row)
        }
        let methodHeaders = methods.flatMap { ["\(SweepReport.displayName($0)) ID", "\(SweepReport.displayName($0)) OOD"] }
        tables.append(TextTable(title: "Sweep \(name): accuracy (%), mean ± std over seeds",
                                headers: ["noise"] + methodHeaders, rows: summaryRows))

        if !report.noiseEffect.isEmpty {
            let rows = noises.filter { $0 != 0 }.map { noise in
                [formatNoise(noise)] + methods.flatMap { method -> [String] in
                    let e = report.noiseEffect.first { $0.noiseRatio == noise && $0.method == method }
                    return [signedPoints(e?.idDelta), signedPoints(e?.oodDelta)]
                }
            }
            if !rows.isEmpty {
                tables.append(TextTable(title: "Sweep \(name): change from noise 0 (percentage points)",
                                        headers: ["noise"] + methodHeaders, rows: rows))
            }
        }

        var seenTasks = [String]()
        for t in report.tasks where !seenTasks.contains(t.task) { seenTasks.append(t.task) }
        for task in seenTasks {
            let kind = report.tasks.first { $0.task == task }?.taskKind.rawValue.uppercased() ?? ""
            let rows = noises.map { noise in
                [formatNoise(noise)] + methods.map { method in
                    let t = report.tasks.first { $0.task == task && $0.noiseRatio == noise && $0.method == method }
                    return percent(t?.mean, t?.std)
                }
            }
            tables.append(TextTable(title: "Task \"\(task)\" (\(kind)): accuracy (%)",
                                    headers: ["noise"] + methods.map(SweepReport.displayName), rows: rows))
        }

        if !report.spectrum.isEmpty {
            let rows = report.spectrum.map { s in
                [formatNoise(s.noiseRatio), s.task, SweepReport.displayName(s.features),
                 plain(s.sveMean, s.sveStd), plain(s.lsvrMean, s.lsvrStd), String(s.seeds)]
            }
            tables.append(TextTable(title: "Sweep \(name): singular value spectrum of the features",
                                    headers: ["noise", "task", "features", "SVE", "LSVR", "seeds"], rows: rows))
        }
        return tables
    }

    /// The report as aligned plain text.
    public static func plainText(_ report: SweepReport) -> String {
        tables(report).map(\.plainText).joined(separator: "\n")
    }

    /// The report as Markdown.
    public static func markdown(_ report: SweepReport) -> String {
        tables(report).map(\.markdown).joined(separator: "\n")
    }

    static func formatNoise(_ x: Double) -> String { String(format: "%.2f", x) }

    static func percent(_ mean: Double?, _ std: Double?) -> String {
        guard let mean else { return "—" }
        guard let std else { return String(format: "%.2f", mean * 100) }
        return String(format: "%.2f ± %.2f", mean * 100, std * 100)
    }

    static func signedPoints(_ delta: Double?) -> String {
        guard let delta else { return "—" }
        return String(format: "%+.2f", delta * 100)
    }

    static func plain(_ mean: Double?, _ std: Double?) -> String {
        guard let mean else { return "—" }
        guard let std else { return String(format: "%.4f", mean) }
        return String(format: "%.4f ± %.4f", mean, std)
    }
}

/// The rows of the report views as CSV (RFC 4180) or JSON.
public enum ViewRenderer {
    /// CSV with a header line; fields quoted when they hold a comma, quote or line break; NULL is empty.
    public static func csv(_ rows: PostgresRows) -> String {
        func field(_ s: String?) -> String {
            guard let s else { return "" }
            guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
            return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
        }
        var lines = [rows.columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(row.texts.map(field).joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A JSON array of objects, one per row: numeric columns as numbers (NaN/∞ as null), NULL as null.
    public static func jsonArray(_ rows: PostgresRows) -> String {
        var items = [String]()
        for row in rows {
            let texts = row.texts
            let members = rows.columns.enumerated().map { i, name -> String in
                let value: String
                if let text = texts[i] {
                    if rows.columnIsNumeric[i] {
                        value = Double(text).map { $0.isFinite ? text : "null" } ?? "null"
                    } else {
                        value = jsonString(text)
                    }
                } else {
                    value = "null"
                }
                return jsonString(name) + ":" + value
            }
            items.append("{" + members.joined(separator: ",") + "}")
        }
        return "[" + items.joined(separator: ",\n") + "]"
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8).
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
