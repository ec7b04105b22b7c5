import NoisyCore
import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// Reports never hide failures or partial data (issue 13, item 0): a sweep with MLP cells failed and
/// a part interrupted must keep the MLP column, list the failures by grid point, mark its partial
/// rows, and average over complete seeds only.
@Suite struct PartialReportTests {
    /// fmnist + mnist5k (ID) and fmnist->fmnist-noisy (OOD); LP, MLP, NMTune; noise 0 and 0.1; seeds
    /// 0–2. Every MLP cell at noise 0.1 failed, MLP's mnist5k at noise 0 seed 1 failed, and NMTune's
    /// mnist5k at noise 0.1 seed 2 never ran (the sweep was stopped).
    static func study() -> HandMadeStudy {
        var points = [HandMadeStudy.Point]()
        let tasks: [(String, TaskKind)] = [("fmnist", .id), ("mnist5k", .id), ("fmnist->fmnist-noisy", .ood)]
        for noise in [0.0, 0.1] {
            for (t, (task, kind)) in tasks.enumerated() {
                for (m, method) in ["lp", "mlp", "nmtune"].enumerated() {
                    for seed in Int64(0)...2 {
                        var p = HandMadeStudy.Point(
                            noise: noise, task: task, kind: kind, domain: "transfer", method: method, seed: seed, probe: seed,
                            accuracy: 0.5 + 0.1 * Double(t) + 0.01 * Double(m) + 0.03 * Double(seed) - 0.05 * noise,
                            sve: 3 + noise, lsvr: 0.3 + noise)
                        if method == "mlp" && (noise == 0.1 || (seed == 1 && task == "mnist5k")) { p.state = "failed" }
                        if method == "nmtune" && noise == 0.1 && seed == 2 && task == "mnist5k" { p.state = "queued" }
                        points.append(p)
                    }
                }
            }
        }
        return HandMadeStudy(points: points)
    }

    @Test func partialSweepIsLabelledListedAndAveragedOverCompleteSeeds() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("partial"))
        let sweep = try Fixture.sweep(db, "failtest")
        let study = Self.study()
        try study.insert(into: db, sweep: sweep, keyPrefix: 3)
        let report = try db.report(sweep: sweep)

        // The MLP column stays, with the reason where it has no complete seed.
        #expect(report.methods == ["lp", "mlp", "nmtune"])
        let mlp = try #require(report.groups.first { $0.method == "mlp" && $0.noiseRatio == 0.1 && $0.taskKind == .id })
        #expect(mlp.mean == nil && mlp.seeds == 0 && mlp.seedsExpected == 3 && mlp.cellsFailed == 6 && !mlp.complete)
        #expect(mlp.note?.contains("6 cells failed") == true)
        let text = ReportRenderer.plainText(report)
        #expect(text.contains("MLP ID") && text.contains("MLP OOD"))
        #expect(text.contains("no complete seed: 6 failed"))

        // Labelled partial, with counts.
        #expect(!report.isComplete)
        #expect(text.contains("PARTIAL — 43 of 54 evaluate cells done; 10 cells failed, 1 not run"))

        // Failures listed by grid point, with attempts and error; the unfinished cell too.
        #expect(report.unfinished.count == 11)
        #expect(report.unfinished.first?.state == .failed)
        let failed = try #require(report.unfinished.first { $0.state == .failed && $0.task == "mnist5k" && $0.noiseRatio == 0 })
        #expect(failed.method == "mlp" && failed.seed == 1 && failed.attempts == 3 && failed.lastError?.contains("bad-data") == true)
        #expect(failed.point == "evaluate mnist5k noise 0.00 mlp seed 1")
        let queued = try #require(report.unfinished.first { $0.state == .queued })
        #expect(queued.task == "mnist5k" && queued.method == "nmtune" && queued.seed == 2 && queued.noiseRatio == 0.1)
        #expect(text.contains("cells not done, by grid point"))
        #expect(text.contains("bad-data: tuning: train feature (row 5, column 3) is nan"))
        // The status command's failure list names the same grid points.
        let status = try db.status(of: sweep)
        #expect(status.failed.count == 10)
        #expect(StatusRenderer.render(status, workers: [], aliveWithin: 30).contains("evaluate mnist5k noise 0.00 mlp seed 1"))

        // NMTune ID at 0.1: seed 2 lacks mnist5k, so the mean is over seeds 0 and 1 only — not over
        // seed 2's fmnist alone (which would pull the mean, as the old view did).
        let nmtune = try #require(report.groups.first { $0.method == "nmtune" && $0.noiseRatio == 0.1 && $0.taskKind == .id })
        let expected = HandMadeStudy.mean([0, 1].map { seed in
            HandMadeStudy.mean(["fmnist", "mnist5k"].map { task in
                study.points.first { $0.method == "nmtune" && $0.noise == 0.1 && $0.task == task && $0.seed == seed }!.accuracy
            })
        })
        #expect(ViewTests.close(nmtune.mean, expected))
        #expect(nmtune.seeds == 2 && nmtune.seedsExpected == 3 && !nmtune.complete && nmtune.cellsDone == 5 && nmtune.cellsExpected == 6)
        #expect(text.contains("(2 of 3 seeds)*"))
        // MLP ID at noise 0 lacks seed 1 (its mnist5k failed): 2 of 3 seeds, marked.
        let mlp0 = try #require(report.groups.first { $0.method == "mlp" && $0.noiseRatio == 0 && $0.taskKind == .id })
        #expect(mlp0.seeds == 2 && !mlp0.complete)

        // psql users see the same counts.
        let summary = try #require(report.summary.first { $0.method == "nmtune" && $0.noiseRatio == 0.1 })
        #expect(summary.idSeeds == 2 && summary.idSeedsExpected == 3 && summary.idCells == 5 && summary.idCellsExpected == 6 && !summary.complete)
        let task = try #require(report.tasks.first { $0.method == "mlp" && $0.noiseRatio == 0.1 && $0.task == "fmnist" })
        #expect(task.mean == nil && task.cellsFailed == 3 && task.classes == 10)

        // The figure keeps MLP in its legend and labels itself partial.
        let svg = SVGPlot.render(report)
        #expect(svg.contains("PARTIAL: 43 of 54 cells done"))
        #expect(SVGPlot.legend(SVGPlot.panels(report)).map(\.label).contains("MLP"))
    }

    /// Effects pair only seeds complete on both sides: NMTune − MLP at noise 0 has seeds 0 and 2
    /// (seed 1's MLP lacks mnist5k), and at noise 0.1 none (every MLP cell failed).
    @Test func effectsPairOnlyCompleteSeeds() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("partialeffects"))
        let sweep = try Fixture.sweep(db, "failtest")
        let study = Self.study()
        try study.insert(into: db, sweep: sweep, keyPrefix: 4)
        let report = try db.report(sweep: sweep)
        let at0 = try #require(report.effects.first { $0.effect == "nmtune-mlp" && $0.noiseRatio == 0 && $0.taskKind == .id && $0.task == nil })
        #expect(at0.n == 2 && at0.seedsExpected == 3)
        let at1 = try #require(report.effects.first { $0.effect == "nmtune-mlp" && $0.noiseRatio == 0.1 && $0.taskKind == .id && $0.task == nil })
        #expect(at1.n == 0 && at1.mean == nil && at1.excludesZero == nil)
        let verdict = Verdict.verdicts(report)[2]
        #expect(verdict.parts.contains { $0.claim.contains("MLP ID accuracy at noise 10 %") && $0.reason?.contains("0 complete seeds") == true })
    }
}
