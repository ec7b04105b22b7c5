import NoisyCore
import Foundation

/// A verdict on one of the paper's three findings, decided from the effects' 95 % intervals.
///
/// The rules (docs/statistics.md): each part of a finding predicts the sign of one effect; the part is
/// *reproduced* when the interval lies entirely on the predicted side of 0, *contradicted* when it lies
/// entirely on the other side, and *inconclusive* otherwise (the interval covers 0, fewer than two
/// complete seeds, or the effect was not measured). A finding is contradicted when any part is,
/// reproduced when every part is, and inconclusive otherwise. The rules never look at the data
/// beyond the intervals, and no correction for the number of parts is made.
public struct Verdict: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable { case reproduced, contradicted, inconclusive }

    /// One predicted sign of one effect.
    public struct Part: Sendable, Equatable {
        /// What the paper predicts, in words (e.g. `OOD accuracy at noise 0.10 minus noise 0 < 0`).
        public var claim: String
        /// +1: the effect should be positive; -1: negative.
        public var predictedSign: Int
        /// The effect row (nil: not measured).
        public var effect: SweepReport.Effect?
        public var outcome: Outcome
        /// Why a part is inconclusive without an interval (not measured, too few seeds).
        public var reason: String?
    }

    /// 1, 2 or 3.
    public var finding: Int
    public var statement: String
    /// Which effects the finding is judged on.
    public var scope: String
    public var outcome: Outcome
    public var parts: [Part]

    /// Count of parts with each outcome.
    public func count(_ outcome: Outcome) -> Int { parts.filter { $0.outcome == outcome }.count }

    /// The outcome of one interval against a predicted sign (the part rule above).
    public static func judge(_ effect: SweepReport.Effect?, predictedSign: Int) -> (Outcome, String?) {
        guard let effect else { return (.inconclusive, "not measured") }
        guard effect.n >= 2, let low = effect.ciLow, let high = effect.ciHigh else {
            return (.inconclusive, "\(effect.n) complete seed\(effect.n == 1 ? "" : "s") (an interval needs 2)")
        }
        if low > 0 { return (predictedSign > 0 ? .reproduced : .contradicted, nil) }
        if high < 0 { return (predictedSign < 0 ? .reproduced : .contradicted, nil) }
        return (.inconclusive, nil)
    }

    /// The finding rule: contradicted if any part is, reproduced if all are, else inconclusive.
    public static func combine(_ parts: [Part]) -> Outcome {
        if parts.contains(where: { $0.outcome == .contradicted }) { return .contradicted }
        if !parts.isEmpty && parts.allSatisfy({ $0.outcome == .reproduced }) { return .reproduced }
        return .inconclusive
    }

    /// The noise ratios the paper calls slight.
    public static let slightNoise: [Double] = [0.05, 0.10]

    /// The three verdicts of a report, judged on the transfer-task groups (the paper's ID/OOD averages).
    ///
    /// 1. LP (the paper's protocol for its analysis): ID at each slight noise ratio of the grid minus
    ///    noise 0 > 0; OOD at every noise ratio > 0 minus noise 0 < 0; slope of OOD accuracy against
    ///    noise < 0 (more noise, more loss).
    /// 2. Slope of the frozen features' SVE against noise > 0, and of LSVR > 0, for ID and OOD tasks.
    /// 3. NMTune − LP > 0 and NMTune − MLP > 0, ID and OOD, at every noise ratio of the grid.
    public static func verdicts(_ report: SweepReport) -> [Verdict] {
        verdicts(effects: report.effects, noiseRatios: report.noiseRatios)
    }

    public static func verdicts(effects: [SweepReport.Effect], noiseRatios: [Double]) -> [Verdict] {
        func find(_ effect: String, _ metric: String, _ kind: TaskKind, method: String?, noise: Double?) -> SweepReport.Effect? {
            effects.first {
                $0.effect == effect && $0.metric == metric && $0.taskKind == kind && $0.taskDomain == "transfer"
                    && $0.task == nil && $0.method == method
                    && ($0.noiseRatio.map { x in noise.map { abs(x - $0) < 1e-9 } ?? false } ?? (noise == nil))
            }
        }
        func part(_ claim: String, _ sign: Int, _ effect: SweepReport.Effect?) -> Part {
            let (outcome, reason) = judge(effect, predictedSign: sign)
            return Part(claim: claim, predictedSign: sign, effect: effect, outcome: outcome, reason: reason)
        }
        let positive = noiseRatios.filter { $0 > 0 }
        func pct(_ r: Double) -> String { String(format: "%g %%", r * 100) }

        var one = [Part]()
        let slight = slightNoise.filter { s in noiseRatios.contains { abs($0 - s) < 1e-9 } }
        if slight.isEmpty {
            one.append(Part(claim: "LP ID accuracy at slight noise (5 % or 10 %) minus noise 0 > 0", predictedSign: 1,
                            effect: nil, outcome: .inconclusive, reason: "no slight noise ratio (5 %, 10 %) in the grid"))
        }
        for r in slight {
            one.append(part("LP ID accuracy at noise \(pct(r)) minus noise 0 > 0", 1, find("noise", "accuracy", .id, method: "lp", noise: r)))
        }
        for r in positive {
            one.append(part("LP OOD accuracy at noise \(pct(r)) minus noise 0 < 0", -1, find("noise", "accuracy", .ood, method: "lp", noise: r)))
        }
        one.append(part("slope of LP OOD accuracy against noise ratio < 0", -1, find("slope", "accuracy", .ood, method: "lp", noise: nil)))

        var two = [Part]()
        for metric in ["sve", "lsvr"] {
            for kind in TaskKind.allCases {
                two.append(part("slope of the frozen features' \(metric.uppercased()) on \(kind.rawValue.uppercased()) tasks against noise ratio > 0", 1,
                                find("slope", metric, kind, method: nil, noise: nil)))
            }
        }

        var three = [Part]()
        for baseline in ["lp", "mlp"] {
            for kind in TaskKind.allCases {
                for r in noiseRatios {
                    three.append(part("NMTune − \(SweepReport.displayName(baseline)) \(kind.rawValue.uppercased()) accuracy at noise \(pct(r)) > 0", 1,
                                      find("nmtune-\(baseline)", "accuracy", kind, method: "nmtune", noise: r)))
                }
            }
        }

        return [
            Verdict(finding: 1, statement: "Slight noise in pre-training (5 %, 10 %) raises ID accuracy; noise lowers OOD accuracy, more noise more loss.",
                    scope: "linear probing (LP), transfer tasks", outcome: combine(one), parts: one),
            Verdict(finding: 2, statement: "SVE and LSVR of the frozen features rise with pre-training noise.",
                    scope: "frozen features, transfer tasks, per-seed slope against noise ratio", outcome: combine(two), parts: two),
            Verdict(finding: 3, statement: "NMTune beats LP and the MLP probe, ID and OOD, at every noise ratio.",
                    scope: "transfer tasks, paired by seed", outcome: combine(three), parts: three),
        ]
    }
}

/// Verdicts as JSON, for `nmsweep report --verdicts --format json` and the JSON report.
public enum VerdictJSON {
    /// `[{"sweep": …, "finding": 1, "outcome": …, "statement": …, "scope": …, "parts": [{claim, predicted_sign,
    /// outcome, reason, n, mean_diff, ci_low, ci_high}]}]`; effects in their view's units (fractions, per 1.0 noise).
    public static func array(_ items: [(SweepRecord, [Verdict])]) -> String {
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        func string(_ s: String?) -> String { s.map(ViewRenderer.jsonString) ?? "null" }
        var out = [String]()
        for (sweep, verdicts) in items {
            for v in verdicts {
                let parts = v.parts.map { p in
                    "{\"claim\":\(string(p.claim)),\"predicted_sign\":\(p.predictedSign),\"outcome\":\(string(p.outcome.rawValue)),"
                        + "\"reason\":\(string(p.reason)),\"n\":\(p.effect.map { String($0.n) } ?? "null"),"
                        + "\"mean_diff\":\(number(p.effect?.mean)),\"ci_low\":\(number(p.effect?.ciLow)),\"ci_high\":\(number(p.effect?.ciHigh))}"
                }
                out.append("{\"sweep\":\(string(sweep.name)),\"finding\":\(v.finding),\"outcome\":\(string(v.outcome.rawValue)),"
                           + "\"statement\":\(string(v.statement)),\"scope\":\(string(v.scope)),\"parts\":[\(parts.joined(separator: ","))]}")
            }
        }
        return "[" + out.joined(separator: ",\n") + "]"
    }
}
