import NoisyCore
import Foundation
public import Postgres

/// Turns a ``SweepReport`` into what a person reads (plain text or Markdown): first what the report
/// is made of (complete or partial), then the accuracy tables in the paper's shape (rows: noise
/// ratios; columns: method × ID/OOD, mean ± std over complete seeds, in %), the paired effects with
/// their 95 % intervals, the verdicts, one table per task, the spectrum, and every cell not done by
/// grid point.
public enum ReportRenderer {
    /// What the report is made of, in sentences: complete or partial, cells done of expected, and
    /// how means treat gaps.
    public static func composition(_ report: SweepReport) -> [String] {
        let name = "\"\(report.sweep.name)\""
        let total = report.cells(), done = report.cells(nil, .done)
        let evaluate = report.cells(.evaluate), evaluateDone = report.cells(.evaluate, .done)
        let failed = report.cells(nil, .failed)
        let notRun = total - done - failed
        if total == 0 { return ["Sweep \(name): no cells."] }
        if report.isComplete {
            return ["Sweep \(name) (\(report.sweep.state.rawValue)): complete — \(evaluateDone) of \(evaluate) evaluate cells done"
                    + (report.cells(.pretrain) > 0 ? ", \(report.cells(.pretrain, .done)) of \(report.cells(.pretrain)) pre-trainings." : ".")]
        }
        var lines = ["Sweep \(name) (\(report.sweep.state.rawValue)): PARTIAL — \(evaluateDone) of \(evaluate) evaluate cells done"
                     + (report.cells(.pretrain) > 0 ? ", \(report.cells(.pretrain, .done)) of \(report.cells(.pretrain)) pre-trainings" : "")
                     + "; \(failed) cell\(failed == 1 ? "" : "s") failed, \(notRun) not run (listed at the end)."]
        lines.append("Means are over complete seeds only (a seed enters a mean only with every task and probe seed of it done);"
                     + " rows marked * have gaps and say how many seeds they hold.")
        return lines
    }

    /// The tables of a report: accuracy per task group, effects, slopes, per task, spectrum, cells not done.
    public static func tables(_ report: SweepReport) -> [TextTable] {
        accuracyTables(report) + effectTables(report) + taskTables(report) + spectrumTables(report) + unfinishedTables(report)
    }

    /// Accuracy by task group: one table per task domain (transfer first), columns method × kind.
    public static func accuracyTables(_ report: SweepReport) -> [TextTable] {
        let methods = report.methods
        let noises = report.noiseRatios
        var tables = [TextTable]()
        let name = "\"\(report.sweep.name)\""
        for domain in domains(report) {
            let kinds = TaskKind.allCases.filter { k in report.groups.contains { $0.taskDomain == domain && $0.taskKind == k } }
            var rows = [[String]]()
            for noise in noises {
                var row = [formatNoise(noise)]
                for method in methods {
                    for kind in kinds {
                        let g = report.groups.first { $0.noiseRatio == noise && $0.method == method && $0.taskKind == kind && $0.taskDomain == domain }
                        row.append(groupCell(g))
                    }
                }
                rows.append(row)
            }
            let headers = methods.flatMap { m in kinds.map { "\(SweepReport.displayName(m)) \($0.rawValue.uppercased())" } }
            let taskCounts = kinds.compactMap { k in report.groups.first { $0.taskDomain == domain && $0.taskKind == k }.map { "\($0.tasks) \(k.rawValue.uppercased())" } }
            tables.append(TextTable(title: "Sweep \(name): accuracy (%) on \(domain) tasks (\(taskCounts.joined(separator: ", "))), mean ± std over complete seeds",
                                    headers: ["noise"] + headers, rows: rows))
        }

        return tables
    }

    /// Paired effects and slopes on the group averages.
    public static func effectTables(_ report: SweepReport) -> [TextTable] {
        var tables = [TextTable]()
        let name = "\"\(report.sweep.name)\""
        let groupEffects = report.effects.filter { $0.task == nil && $0.effect != "slope" }
        if !groupEffects.isEmpty {
            tables.append(TextTable(title: "Sweep \(name): paired effects on accuracy (percentage points), 95 % t-interval over seeds",
                                    headers: ["effect", "tasks", "noise", "n", "difference", "95 % CI", "excludes 0"],
                                    rows: groupEffects.map(effectRow)))
        }
        let slopes = report.effects.filter { $0.task == nil && $0.effect == "slope" }
        if !slopes.isEmpty {
            tables.append(TextTable(title: "Sweep \(name): trend with noise (per-seed least-squares slope, per +10 % noise; accuracy in points)",
                                    headers: ["metric", "tasks", "method", "n", "slope", "95 % CI", "excludes 0"],
                                    rows: slopes.map(slopeRow)))
        }

        return tables
    }

    /// One accuracy table per task (with its classes and chance level) and its paired effects.
    public static func taskTables(_ report: SweepReport) -> [TextTable] {
        let methods = report.methods
        let noises = report.noiseRatios
        var tables = [TextTable]()
        var seenTasks = [String]()
        for t in report.tasks where !seenTasks.contains(t.task) { seenTasks.append(t.task) }
        for task in seenTasks {
            let first = report.tasks.first { $0.task == task }
            let kind = first?.taskKind.rawValue.uppercased() ?? ""
            var facts = [kind, first?.taskDomain ?? "transfer"]
            if let classes = first?.classes { facts.append(String(format: "%d classes, chance %.1f %%", classes, 100 / Double(classes))) }
            let rows = noises.map { noise in
                [formatNoise(noise)] + methods.map { method in
                    taskCell(report.tasks.first { $0.task == task && $0.noiseRatio == noise && $0.method == method })
                }
            }
            tables.append(TextTable(title: "Task \"\(task)\" (\(facts.joined(separator: ", "))): accuracy (%)",
                                    headers: ["noise"] + methods.map(SweepReport.displayName), rows: rows))
            let taskEffects = report.effects.filter { $0.task == task && $0.effect != "slope" }
            if !taskEffects.isEmpty {
                tables.append(TextTable(title: "Task \"\(task)\": paired effects (percentage points), 95 % t-interval over seeds",
                                        headers: ["effect", "tasks", "noise", "n", "difference", "95 % CI", "excludes 0"],
                                        rows: taskEffects.map(effectRow)))
            }
        }

        return tables
    }

    /// The spectrum of the features per noise ratio × task.
    public static func spectrumTables(_ report: SweepReport) -> [TextTable] {
        var tables = [TextTable]()
        let name = "\"\(report.sweep.name)\""
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

    /// Every cell not done, by grid point (failed first).
    public static func unfinishedTables(_ report: SweepReport) -> [TextTable] {
        var tables = [TextTable]()
        let name = "\"\(report.sweep.name)\""
        if !report.unfinished.isEmpty {
            let notDone = report.cells() - report.cells(nil, .done)
            let more = notDone > report.unfinished.count ? " (first \(report.unfinished.count) of \(notDone); all in the grid_cells view)" : ""
            tables.append(TextTable(
                title: "Sweep \(name): cells not done, by grid point\(more)",
                headers: ["state", "kind", "task", "noise", "method", "seed", "probe seed", "attempts", "last error"],
                rows: report.unfinished.map { c in
                    [c.state.rawValue, c.kind.rawValue, c.task ?? "", c.noiseRatio.map(formatNoise) ?? "", c.method ?? "",
                     c.seed.map(String.init) ?? "", c.probeSeed.map(String.init) ?? "", String(c.attempts),
                     oneLine(c.lastError ?? "")]
                }))
        }
        return tables
    }

    /// Notes under the accuracy tables: what each partial row lacks.
    public static func partialNotes(_ report: SweepReport) -> [String] {
        report.groups.filter { !$0.complete }.map { g in
            "* noise \(formatNoise(g.noiseRatio)) \(SweepReport.displayName(g.method)) \(g.taskKind.rawValue.uppercased()) (\(g.taskDomain)): "
                + "\(g.note ?? "incomplete"); \(g.cellsDone) of \(g.cellsExpected) cells done"
        }
    }

    /// The verdicts as lines of text (Markdown-friendly).
    public static func verdictLines(_ verdicts: [Verdict], markdown: Bool) -> [String] {
        var out = [markdown ? "### Verdicts on the paper's findings" : "Verdicts on the paper's findings (rules: docs/statistics.md)"]
        if markdown { out.append(""); out.append("Rules: docs/statistics.md. A part is reproduced when its 95 % interval lies on the predicted side of 0, contradicted when it lies on the other side, inconclusive otherwise; a finding is contradicted when any part is, reproduced when all are.") ; out.append("") }
        for v in verdicts {
            let counts = Verdict.Outcome.allCases.map { "\(v.count($0)) \($0.rawValue)" }.joined(separator: ", ")
            let head = "Finding \(v.finding): \(v.outcome.rawValue.uppercased()) — \(v.statement) [\(v.scope); parts: \(counts)]"
            out.append(markdown ? "- **Finding \(v.finding): \(v.outcome.rawValue)** — \(v.statement) (\(v.scope); parts: \(counts))" : head)
            for p in v.parts {
                var numbers = p.reason ?? ""
                if let e = p.effect, e.n >= 2, let m = e.mean, let lo = e.ciLow, let hi = e.ciHigh {
                    let scale = e.effect == "slope" ? (e.metric == "accuracy" ? 10.0 : 0.1) : 100.0
                    let unit = e.effect == "slope" ? (e.metric == "accuracy" ? " points per +10 % noise" : " per +10 % noise") : " points"
                    numbers = String(format: "%+.3g%@, 95 %% CI [%+.3g, %+.3g], n = %d", m * scale, unit, lo * scale, hi * scale, e.n)
                } else if let e = p.effect, p.reason == nil {
                    numbers = "n = \(e.n)"
                }
                out.append((markdown ? "  - " : "    ") + "\(p.outcome.rawValue): \(p.claim): \(numbers)")
            }
        }
        return out
    }

    /// The report as aligned plain text.
    public static func plainText(_ report: SweepReport) -> String {
        render(report, markdown: false)
    }

    /// The report as Markdown.
    public static func markdown(_ report: SweepReport) -> String {
        render(report, markdown: true)
    }

    static func render(_ report: SweepReport, markdown: Bool) -> String {
        func text(_ tables: [TextTable]) -> [String] { tables.map { markdown ? $0.markdown : $0.plainText } }
        var parts = [composition(report).joined(separator: markdown ? "\n\n" : "\n") + "\n"]
        parts += text(accuracyTables(report))
        let notes = partialNotes(report)
        if !notes.isEmpty { parts.append(notes.map { markdown ? "\\" + $0 : $0 }.joined(separator: markdown ? "  \n" : "\n") + "\n") }
        parts += text(effectTables(report))
        if !report.effects.isEmpty { parts.append(verdictLines(Verdict.verdicts(report), markdown: markdown).joined(separator: "\n") + "\n") }
        parts += text(taskTables(report) + spectrumTables(report) + unfinishedTables(report))
        return parts.joined(separator: "\n")
    }

    /// The domains with groups, transfer first.
    static func domains(_ report: SweepReport) -> [String] {
        var out = [String]()
        for g in report.groups where !out.contains(g.taskDomain) { out.append(g.taskDomain) }
        return out.sorted { ($0 == "transfer" ? 0 : 1, $0) < ($1 == "transfer" ? 0 : 1, $1) }
    }

    static func groupCell(_ g: SweepReport.Group?) -> String {
        guard let g else { return "—" }
        guard let mean = g.mean else {
            return g.cellsFailed > 0 ? "— (no complete seed: \(g.cellsFailed) failed)*" : "— (no complete seed)*"
        }
        let value = percent(mean, g.std)
        return g.complete ? value : "\(value) (\(g.seeds) of \(g.seedsExpected) seeds)*"
    }

    static func taskCell(_ t: SweepReport.Task?) -> String {
        guard let t else { return "—" }
        guard let mean = t.mean else { return t.cellsFailed > 0 ? "— (\(t.cellsFailed) failed)*" : "— (not run)*" }
        let value = percent(mean, t.std)
        return t.complete ? value : "\(value) (\(t.seeds) of \(t.seedsExpected) seeds)*"
    }

    static func effectLabel(_ e: SweepReport.Effect) -> String {
        switch e.effect {
        case "noise": return "\(SweepReport.displayName(e.method ?? "")): noise vs 0"
        case "nmtune-lp": return "NMTune − LP"
        case "nmtune-mlp": return "NMTune − MLP"
        default: return e.effect
        }
    }

    static func effectRow(_ e: SweepReport.Effect) -> [String] {
        [effectLabel(e), "\(e.taskKind.rawValue.uppercased()) \(e.taskDomain)", e.noiseRatio.map(formatNoise) ?? "",
         "\(e.n)/\(e.seedsExpected)", signed(e.mean, scale: 100), interval(e, scale: 100), excludes(e)]
    }

    static func slopeRow(_ e: SweepReport.Effect) -> [String] {
        let scale = e.metric == "accuracy" ? 10.0 : 0.1
        return [e.metric == "accuracy" ? "accuracy" : "\(e.metric.uppercased()) (frozen)", "\(e.taskKind.rawValue.uppercased()) \(e.taskDomain)",
                e.method.map(SweepReport.displayName) ?? "", "\(e.n)/\(e.seedsExpected)", signed(e.mean, scale: scale),
                interval(e, scale: scale), excludes(e)]
    }

    static func signed(_ x: Double?, scale: Double) -> String {
        guard let x else { return "—" }
        return String(format: "%+.2f", x * scale)
    }

    static func interval(_ e: SweepReport.Effect, scale: Double) -> String {
        guard let lo = e.ciLow, let hi = e.ciHigh else { return e.n < 2 ? "— (n < 2)" : "—" }
        return String(format: "[%+.2f, %+.2f]", lo * scale, hi * scale)
    }

    static func excludes(_ e: SweepReport.Effect) -> String {
        guard let x = e.excludesZero else { return "—" }
        return x ? "yes" : "no"
    }

    static func oneLine(_ s: String) -> String {
        let flat = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 120 ? String(flat.prefix(117)) + "…" : flat
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
