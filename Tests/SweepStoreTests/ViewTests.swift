import NoisyCore
import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// The report views against a computation done here, in Swift, over the rows this test inserted.
@Suite struct ViewTests {
    struct Row { var noise: Double; var task: String; var kind: TaskKind; var method: String; var seed: Int64
                 var accuracy: Double; var sve: Double; var lsvr: Double; var tunedSVE: Double? }

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
    static func std(_ xs: [Double]) -> Double? {
        guard xs.count > 1 else { return nil }
        let m = mean(xs)
        return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
    }
    /// Relative tolerance 1e-9: the server sums in a different order than we do.
    static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        default: return false
        }
    }

    @Test func viewsMatchAnIndependentComputation() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("views"))
        let sweep = try Fixture.sweep(db, "views")
        let other = try Fixture.sweep(db, "other")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {  // splitmix64: a fixed seed, so the test is repeatable
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let tasks: [(String, TaskKind)] = [("cifar10", .id), ("flowers", .id), ("dtd", .id), ("domainnet", .ood), ("imagenet-r", .ood)]
        var rows = [Row]()
        var records = [ResultRecord]()
        var index = 0
        for noise in [0.0, 0.1, 0.3] {
            for method in ["lp", "mlp", "nmtune"] {
                for seed in Int64(1)...4 {
                    let frozenSVE = 4 + uniform()
                    for (task, kind) in tasks {
                        // A hole: seed 4's MLP has no dtd cell, so it must not enter MLP's ID mean.
                        if seed == 4 && task == "dtd" && method == "mlp" { continue }
                        let r = Row(noise: noise, task: task, kind: kind, method: method, seed: seed,
                                    accuracy: uniform(), sve: frozenSVE, lsvr: uniform() / 2,
                                    tunedSVE: method == "lp" ? nil : 5 + uniform())
                        rows.append(r)
                        var record = Fixture.result(Fixture.key(5, index), noise: noise, task: task, kind: kind, method: method,
                                                    seed: seed, accuracy: r.accuracy)
                        record.sve = r.sve
                        record.lsvr = r.lsvr
                        record.tunedSVE = r.tunedSVE
                        record.tunedLSVR = r.tunedSVE.map { $0 / 10 }
                        records.append(record)
                        index += 1
                    }
                }
            }
        }
        try db.insertCells(records.map { NewCell(key: $0.cellKey, kind: .evaluate, spec: "{}") }, sweepID: sweep.id)
        // The other sweep shares one cell and has one of its own: neither may leak into "views".
        let ownKey = Fixture.key(6, 0)
        try db.insertCells([NewCell(key: records[0].cellKey, kind: .evaluate, spec: "{}"),
                            NewCell(key: ownKey, kind: .evaluate, spec: "{}")], sweepID: other.id)
        try db.insertResults(records + [Fixture.result(ownKey, accuracy: 0.123)])

        let report = try db.report(sweep: sweep)

        // id_ood_summary
        var expectedSummaryRows = 0
        for noise in [0.0, 0.1, 0.3] {
            for method in ["lp", "mlp", "nmtune"] {
                let s = try #require(report.summary.first { $0.noiseRatio == noise && $0.method == method })
                for kind in TaskKind.allCases {
                    let subset = rows.filter { $0.noise == noise && $0.method == method && $0.kind == kind }
                    // A seed enters only with every task of the kind (seed 4's MLP lacks dtd: out).
                    let kindTasks = Set(tasks.filter { $0.1 == kind }.map(\.0))
                    let complete = Set(subset.map(\.seed)).sorted().filter { seed in Set(subset.filter { $0.seed == seed }.map(\.task)) == kindTasks }
                    let perSeed = complete.map { seed in Self.mean(subset.filter { $0.seed == seed }.map(\.accuracy)) }
                    let (m, sd, seeds, cells) = kind == .id ? (s.idMean, s.idStd, s.idSeeds, s.idCells) : (s.oodMean, s.oodStd, s.oodSeeds, s.oodCells)
                    #expect(Self.close(m, Self.mean(perSeed)), "mean \(kind) \(noise) \(method)")
                    #expect(Self.close(sd, Self.std(perSeed)), "std \(kind) \(noise) \(method)")
                    #expect(seeds == perSeed.count)
                    #expect(cells == subset.count)
                    #expect(perSeed.count == (method == "mlp" && kind == .id ? 3 : 4))
                }
                expectedSummaryRows += 1
            }
        }
        #expect(report.summary.count == expectedSummaryRows)

        // task_results
        #expect(report.tasks.count == 3 * 3 * tasks.count)
        for t in report.tasks {
            let xs = rows.filter { $0.noise == t.noiseRatio && $0.method == t.method && $0.task == t.task }.map(\.accuracy)
            #expect(Self.close(t.mean, Self.mean(xs)) && Self.close(t.std, Self.std(xs)) && t.seeds == xs.count)
        }

        // spectrum_summary: frozen (one value per seed) and tuned per method
        for s in report.spectrum {
            let subset = rows.filter { $0.noise == s.noiseRatio && $0.task == s.task }
            if s.features == "frozen" {
                let perSeed = Set(subset.map(\.seed)).sorted().map { seed in Self.mean(subset.filter { $0.seed == seed }.map(\.sve)) }
                #expect(Self.close(s.sveMean, Self.mean(perSeed)) && Self.close(s.sveStd, Self.std(perSeed)))
            } else {
                let tuned = subset.filter { $0.method == s.features }.compactMap(\.tunedSVE)
                #expect(Self.close(s.sveMean, Self.mean(tuned)) && Self.close(s.sveStd, Self.std(tuned)))
                #expect(Self.close(s.lsvrMean, Self.mean(tuned.map { $0 / 10 })))
            }
        }
        #expect(report.spectrum.filter { $0.features == "frozen" }.count == 3 * tasks.count)
        #expect(report.spectrum.filter { $0.features == "lp" }.isEmpty)  // lp reports no tuned spectrum
        #expect(report.spectrum.filter { $0.features == "nmtune" }.count == 3 * tasks.count)

        // noise_effect
        #expect(report.noiseEffect.count == 9)
        for e in report.noiseEffect {
            let now = report.summary.first { $0.noiseRatio == e.noiseRatio && $0.method == e.method }!
            let base = report.summary.first { $0.noiseRatio == 0 && $0.method == e.method }!
            #expect(Self.close(e.idDelta, now.idMean! - base.idMean!) && Self.close(e.oodDelta, now.oodMean! - base.oodMean!))
        }

        // The other sweep sees its two cells, one of them shared.
        let otherReport = try db.report(sweep: other)
        #expect(otherReport.tasks.map(\.seeds).reduce(0, +) == 2)
    }
}
