import NoisyCore
import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// A hand-made study written straight into the tables (cells with their real spec JSON, results
/// with probe seeds, domains and classes), and the reference statistics computed here in `Double`.
struct HandMadeStudy {
    struct Point {
        var noise: Double
        var task: String
        var kind: TaskKind
        var domain: String
        var method: String
        var seed: Int64
        var probe: Int64
        var accuracy: Double
        var sve: Double
        var lsvr: Double
        /// done, failed or queued (an interrupted sweep).
        var state: String = "done"
    }

    var points: [Point]

    /// Writes every point as a cell of `sweep` (spec as CellSpec's canonical JSON: the model seed in
    /// the pre-training, the probe seed as the evaluate seed) and each done point's result.
    func insert(into db: SweepDatabase, sweep: SweepRecord, keyPrefix: Int) throws {
        var cells = [NewCell]()
        for (i, p) in points.enumerated() {
            let spec = """
                {"evaluate":{"_0":{"features":{"pretrained":{"_0":{"noiseRatio":\(p.noise),"seed":\(p.seed)}}},\
                "method":"\(p.method)","noiseRatio":\(p.noise),"seed":\(p.probe),"task":"\(p.task)"}}}
                """
            cells.append(NewCell(key: Fixture.key(keyPrefix, i), kind: .evaluate, spec: spec))
        }
        try db.insertCells(cells, sweepID: sweep.id)
        for (i, p) in points.enumerated() {
            let key = Fixture.key(keyPrefix, i)
            switch p.state {
            case "done":
                try db.connection.execute("""
                    INSERT INTO results (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr,
                                         task_domain, classes, probe_seed)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 10, $11)
                    """, key, p.noise, p.task, p.kind.rawValue, p.method, p.seed, p.accuracy, p.sve, p.lsvr, p.domain, p.probe)
            case "failed":
                try db.connection.execute(
                    "UPDATE cells SET state = 'failed', attempts = 3, last_error = $2 WHERE key = $1", key,
                    "bad-data: tuning: train feature (row 5, column 3) is nan")
            default:
                break
            }
        }
    }

    // MARK: reference statistics

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    /// Tasks of a group over the whole study (a seed is complete only with all of them).
    func tasks(_ kind: TaskKind, _ domain: String) -> [String] {
        Array(Set(points.filter { $0.kind == kind && $0.domain == domain }.map(\.task))).sorted()
    }

    /// A seed's value for a task (mean over its probe seeds) or a group (mean over its tasks), nil
    /// unless every cell of it is done.
    func unit(_ noise: Double, _ method: String, _ kind: TaskKind, _ domain: String, task: String?, seed: Int64,
              _ metric: KeyPath<Point, Double>) -> Double? {
        let names = task.map { [$0] } ?? tasks(kind, domain)
        var perTask = [Double]()
        for name in names {
            let cells = points.filter { $0.noise == noise && $0.method == method && $0.task == name && $0.seed == seed }
            guard !cells.isEmpty, cells.allSatisfy({ $0.state == "done" }) else { return nil }
            perTask.append(Self.mean(cells.map { $0[keyPath: metric] }))
        }
        return Self.mean(perTask)
    }

    /// The frozen features' value of a seed: the mean over the methods complete for it.
    func frozen(_ noise: Double, _ kind: TaskKind, _ domain: String, task: String?, seed: Int64, _ metric: KeyPath<Point, Double>) -> Double? {
        let values = methods.compactMap { unit(noise, $0, kind, domain, task: task, seed: seed, metric) }
        return values.isEmpty ? nil : Self.mean(values)
    }

    var methods: [String] { Array(Set(points.map(\.method))).sorted() }
    var seeds: [Int64] { Array(Set(points.map(\.seed))).sorted() }
    var noises: [Double] { Array(Set(points.map(\.noise))).sorted() }

    /// Least-squares slope of y on x.
    static func slope(_ x: [Double], _ y: [Double]) -> Double {
        let mx = mean(x), my = mean(y)
        return zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
    }

    /// The paired t-interval of a set of per-seed differences: (n, mean, standard error, low, high).
    static func interval(_ d: [Double]) -> (n: Int, mean: Double, se: Double?, low: Double?, high: Double?) {
        let n = d.count
        let m = mean(d)
        guard n >= 2 else { return (n, m, nil, nil, nil) }
        let sd = (d.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot()
        let se = sd / Double(n).squareRoot()
        let t = StudentT.quantile(0.975, df: Double(n - 1))
        return (n, m, se, m - t * se, m + t * se)
    }

    /// The differences the effects view should pair for one of its rows.
    func differences(_ e: SweepReport.Effect) -> [Double] {
        let kind = e.taskKind, domain = e.taskDomain, task = e.task
        return seeds.compactMap { seed -> Double? in
            switch e.effect {
            case "noise":
                guard let a = unit(e.noiseRatio!, e.method!, kind, domain, task: task, seed: seed, \.accuracy),
                      let b = unit(0, e.method!, kind, domain, task: task, seed: seed, \.accuracy) else { return nil }
                return a - b
            case "nmtune-lp", "nmtune-mlp":
                let baseline = e.effect == "nmtune-lp" ? "lp" : "mlp"
                guard let a = unit(e.noiseRatio!, "nmtune", kind, domain, task: task, seed: seed, \.accuracy),
                      let b = unit(e.noiseRatio!, baseline, kind, domain, task: task, seed: seed, \.accuracy) else { return nil }
                return a - b
            default:
                let ys: [Double?] = noises.map { noise in
                    switch e.metric {
                    case "accuracy": return unit(noise, e.method!, kind, domain, task: task, seed: seed, \.accuracy)
                    case "sve": return frozen(noise, kind, domain, task: task, seed: seed, \.sve)
                    default: return frozen(noise, kind, domain, task: task, seed: seed, \.lsvr)
                    }
                }
                guard ys.allSatisfy({ $0 != nil }) else { return nil }
                return Self.slope(noises, ys.map { $0! })
            }
        }
    }
}

/// The effects view and its t quantiles against references computed here.
@Suite struct EffectsViewTests {
    /// The SQL t table against Student's t computed from the incomplete beta function: exact to the
    /// table's 6 decimals for df 1..30, conservative (wider, by under 1 %) up to 1000, normal beyond.
    @Test func tQuantileTableMatchesStudentT() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("tquantile"))
        let rows = try db.connection.query(
            "SELECT df, t_quantile_975(df) FROM generate_series(0, 1200) AS df ORDER BY df")
        #expect(try rows[0].decode(1, as: Double?.self) == nil)  // df 0: no interval
        for row in rows.dropFirst() {
            let df: Int = try row.decode(0)
            let table: Double = try row.decode(1)
            let exact = StudentT.quantile(0.975, df: Double(df))
            if df <= 30 {
                #expect(abs(table - exact) <= 1e-6, "df \(df): table \(table), exact \(exact)")
            } else if df <= 1000 {
                #expect(table >= exact - 1e-6 && table <= exact * 1.01, "df \(df): table \(table), exact \(exact)")
            } else {
                #expect(table == 1.959964)
            }
        }
        // The reference itself against values every statistics table prints.
        #expect(abs(StudentT.quantile(0.975, df: 4) - 2.776445) < 1e-6)
        #expect(abs(StudentT.quantile(0.975, df: 1) - 12.706205) < 1e-5)
    }

    static func study(withGaps: Bool) -> HandMadeStudy {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {  // splitmix64: a fixed seed, so the test is repeatable
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let tasks: [(String, TaskKind, String)] = [("a", .id, "transfer"), ("b", .id, "transfer"),
                                                   ("a->c", .ood, "transfer"), ("src", .id, "source")]
        var points = [HandMadeStudy.Point]()
        for noise in [0.0, 0.1, 0.3] {
            for (task, kind, domain) in tasks {
                for method in ["lp", "mlp", "nmtune"] {
                    for seed in Int64(0)...3 {
                        for j in Int64(0)...1 {
                            var p = HandMadeStudy.Point(
                                noise: noise, task: task, kind: kind, domain: domain, method: method, seed: seed,
                                probe: seed * 100 + j,
                                accuracy: 0.6 + 0.05 * Double(seed) - 0.1 * noise + (method == "nmtune" ? 0.02 : 0) + 0.02 * uniform(),
                                sve: 3 + noise + 0.1 * uniform(), lsvr: 0.3 + 0.5 * noise + 0.05 * uniform())
                            if withGaps {
                                if seed == 3 && method == "mlp" && task == "b" && noise == 0.1 && j == 1 { p.state = "failed" }
                                if seed == 2 && method == "nmtune" && task == "a->c" && noise == 0.3 { p.state = "queued" }
                            }
                            points.append(p)
                        }
                    }
                }
            }
        }
        return HandMadeStudy(points: points)
    }

    /// Every row of `effects` against the paired computation here: the right seeds (complete on both
    /// sides), mean, standard error and t-interval; slopes fitted per seed.
    @Test func effectsViewMatchesHandComputation() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("effects"))
        let sweep = try Fixture.sweep(db, "effects")
        let study = Self.study(withGaps: true)
        try study.insert(into: db, sweep: sweep, keyPrefix: 7)
        let report = try db.report(sweep: sweep)

        // 3 groups + 4 tasks = 7 scopes; noise: 3 methods × 2 ratios; nmtune-lp/-mlp: 3 ratios each;
        // slopes: accuracy for 3 methods, SVE and LSVR.
        #expect(report.effects.count == 7 * (3 * 2 + 2 * 3 + 3 + 2))
        var checked = 0
        for e in report.effects {
            let d = study.differences(e)
            let ref = HandMadeStudy.interval(d)
            let what = "\(e.effect) \(e.metric) \(e.taskKind) \(e.taskDomain) \(e.task ?? "-") \(e.method ?? "-") \(e.noiseRatio ?? -1)"
            #expect(e.n == ref.n, "n of \(what)")
            #expect(e.seedsExpected == 4, "seeds expected of \(what)")
            #expect(ViewTests.close(e.mean, ref.mean), "mean of \(what)")
            #expect(ViewTests.close(e.stdErr, ref.se), "standard error of \(what)")
            // The SQL quantile has 6 decimals: the bounds agree to 1e-6 of the standard error.
            if let lo = e.ciLow, let hi = e.ciHigh, let rlo = ref.low, let rhi = ref.high, let se = ref.se {
                #expect(abs(lo - rlo) <= 1e-6 * se + 1e-12 && abs(hi - rhi) <= 1e-6 * se + 1e-12, "interval of \(what)")
                #expect(e.excludesZero == (rlo > 0 || rhi < 0), "excludes_zero of \(what)")
                checked += 1
            } else {
                #expect(e.ciLow == nil && ref.low == nil, "interval of \(what)")
            }
        }
        #expect(checked == report.effects.count)

        // The gaps: MLP's ID-transfer group at noise 0.1 lacks seed 3 (a failed probe cell of "b"),
        // NMTune's OOD at 0.3 lacks seed 2 (never run), so their effects pair 3 seeds, not 4.
        let mlpNoise = try #require(report.effects.first {
            $0.effect == "noise" && $0.method == "mlp" && $0.taskKind == .id && $0.taskDomain == "transfer" && $0.task == nil && $0.noiseRatio == 0.1 })
        #expect(mlpNoise.n == 3)
        let taskA = try #require(report.effects.first {
            $0.effect == "noise" && $0.method == "mlp" && $0.task == "a" && $0.noiseRatio == 0.1 })
        #expect(taskA.n == 4)  // task a of seed 3 is complete: only b lacks a cell
        let oodSlope = try #require(report.effects.first {
            $0.effect == "slope" && $0.metric == "accuracy" && $0.method == "nmtune" && $0.taskKind == .ood && $0.task == nil })
        #expect(oodSlope.n == 3)
        // Source-domain tasks are their own group, not part of the ID average.
        #expect(report.effects.contains { $0.taskDomain == "source" && $0.task == nil })
        let idGroup = try #require(report.groups.first { $0.noiseRatio == 0 && $0.method == "lp" && $0.taskKind == .id && $0.taskDomain == "transfer" })
        #expect(idGroup.tasks == 2)
    }

    /// The reason for pairing: seeds differ far more than the effect, so the unpaired interval covers
    /// 0 while the paired one (the view's) excludes it.
    @Test func pairedIntervalExcludesZeroWhereUnpairedWouldNot() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("paired"))
        let sweep = try Fixture.sweep(db, "paired")
        let offsets = [-0.12, 0.05, 0.10, -0.04, 0.01]  // seed-to-seed spread: ±10 points
        let jitter = [0.0008, -0.0005, 0.0011, -0.0002, 0.0003]
        var points = [HandMadeStudy.Point]()
        for (seed, offset) in offsets.enumerated() {
            for noise in [0.0, 0.1] {
                let accuracy = 0.7 + offset + (noise > 0 ? 0.01 + jitter[seed] : 0)
                points.append(HandMadeStudy.Point(noise: noise, task: "x", kind: .id, domain: "transfer", method: "lp",
                                                  seed: Int64(seed), probe: Int64(seed), accuracy: accuracy, sve: 3, lsvr: 0.3))
            }
        }
        try HandMadeStudy(points: points).insert(into: db, sweep: sweep, keyPrefix: 9)
        let report = try db.report(sweep: sweep)
        let e = try #require(report.effects.first { $0.effect == "noise" && $0.task == nil })

        let at0 = points.filter { $0.noise == 0 }.map(\.accuracy), at1 = points.filter { $0.noise == 0.1 }.map(\.accuracy)
        let paired = HandMadeStudy.interval(zip(at1, at0).map { $0 - $1 })
        #expect(e.n == 5 && ViewTests.close(e.mean, paired.mean))
        #expect(abs(e.ciLow! - paired.low!) < 1e-9 && abs(e.ciHigh! - paired.high!) < 1e-9)
        #expect(e.excludesZero == true && e.ciLow! > 0)

        // Welch's unpaired interval of the same numbers covers 0.
        func variance(_ xs: [Double]) -> Double {
            let m = HandMadeStudy.mean(xs)
            return xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)
        }
        let v1 = variance(at1) / 5, v0 = variance(at0) / 5
        let df = (v1 + v0) * (v1 + v0) / (v1 * v1 / 4 + v0 * v0 / 4)
        let half = StudentT.quantile(0.975, df: df) * (v1 + v0).squareRoot()
        let difference = HandMadeStudy.mean(at1) - HandMadeStudy.mean(at0)
        #expect(difference - half < 0 && difference + half > 0, "the unpaired interval covers 0")

        // The verdict rule reads the paired interval: an ID rise at 10 % is reproduced.
        let verdicts = Verdict.verdicts(report)
        let slightID = try #require(verdicts[0].parts.first { $0.claim.contains("ID accuracy at noise 10 %") })
        #expect(slightID.outcome == .reproduced)
    }
}
