extension SweepDatabase {
    /// The report as one JSON object: each report view's rows (`view` alone, or all of
    /// ``reportViews``) and, with all views, the verdicts of `sweeps`. What `nmsweep report
    /// --format json` prints and the coordinator's `/api/report?format=json` serves.
    ///
    /// - Parameter sweepID: the sweep whose rows to show; nil = every sweep's.
    public func reportJSON(sweeps: [SweepRecord], sweepID: Int64?, view: String? = nil) throws -> String {
        let views = view.map { [$0] } ?? Self.reportViews
        var members = try views.map { "\(ViewRenderer.jsonString($0)):\(ViewRenderer.jsonArray(try viewRows($0, sweepID: sweepID)))" }
        if view == nil {
            let all = try sweeps.map { ($0, Verdict.verdicts(try report(sweep: $0))) }
            members.append("\"verdicts\":" + VerdictJSON.array(all))
        }
        return "{" + members.joined(separator: ",\n") + "}\n"
    }
}
