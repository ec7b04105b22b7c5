public import Postgres

/// Everything `nmsweep report` shows for one sweep, read from the report views.
public struct SweepReport: Sendable {
    /// One row of `id_ood_summary`. Accuracies are fractions in [0, 1]; std is nil with one seed.
    public struct Summary: Sendable, Equatable {
        public var noiseRatio: Double
        public var method: String
        public var idMean: Double?, idStd: Double?, idSeeds: Int, idCells: Int
        public var oodMean: Double?, oodStd: Double?, oodSeeds: Int, oodCells: Int
    }

    /// One row of `task_results`.
    public struct Task: Sendable, Equatable {
        public var noiseRatio: Double
        public var task: String
        public var taskKind: TaskKind
        public var method: String
        public var mean: Double
        public var std: Double?
        public var seeds: Int
    }

    /// One row of `spectrum_summary` (`features` is `frozen` or a method), or of the per-noise
    /// average over tasks used by the plots (`task` empty).
    public struct Spectrum: Sendable, Equatable {
        public var noiseRatio: Double
        public var task: String
        public var features: String
        public var sveMean: Double?, sveStd: Double?
        public var lsvrMean: Double?, lsvrStd: Double?
        public var seeds: Int
    }

    /// One row of `noise_effect`: differences of mean accuracy from the same method at noise 0.
    public struct NoiseEffect: Sendable, Equatable {
        public var noiseRatio: Double
        public var method: String
        public var idDelta: Double?
        public var oodDelta: Double?
    }

    public var sweep: SweepRecord
    public var summary: [Summary]
    public var tasks: [Task]
    public var spectrum: [Spectrum]
    public var noiseEffect: [NoiseEffect]
    /// Spectrum per noise ratio × features, averaged over tasks for each seed, then over seeds.
    public var spectrumByNoise: [Spectrum]

    /// Methods in the paper's order (LP, MLP, NMTune), then any others alphabetically.
    public var methods: [String] {
        let all = Set(summary.map(\.method))
        return all.sorted { Self.methodRank($0, $1) }
    }

    public var noiseRatios: [Double] { Array(Set(summary.map(\.noiseRatio))).sorted() }

    static func methodRank(_ a: String, _ b: String) -> Bool {
        let order = ["lp", "linear", "mlp", "nmtune"]
        let ia = order.firstIndex(of: a.lowercased()) ?? order.count
        let ib = order.firstIndex(of: b.lowercased()) ?? order.count
        return ia != ib ? ia < ib : a < b
    }

    /// The name a person reads: `LP`, `MLP`, `NMTune`, or the method as stored.
    public static func displayName(_ method: String) -> String {
        switch method.lowercased() {
        case "lp", "linear": return "LP"
        case "mlp": return "MLP"
        case "nmtune": return "NMTune"
        case "frozen": return "frozen"
        default: return method
        }
    }
}

extension SweepDatabase {
    /// The report of a sweep: the four views' rows for it, ordered by noise ratio, then method/task.
    public func report(sweep: SweepRecord) throws -> SweepReport {
        let c = connection
        let summary = try c.query("""
            SELECT noise_ratio, method, id_mean, id_std, id_seeds, id_cells, ood_mean, ood_std, ood_seeds, ood_cells
            FROM id_ood_summary WHERE sweep_id = $1 ORDER BY noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.Summary(
                noiseRatio: try r.decode(0), method: try r.decode(1),
                idMean: try r.decode(2, as: Double?.self), idStd: try r.decode(3, as: Double?.self),
                idSeeds: try r.decode(4), idCells: try r.decode(5),
                oodMean: try r.decode(6, as: Double?.self), oodStd: try r.decode(7, as: Double?.self),
                oodSeeds: try r.decode(8), oodCells: try r.decode(9))
        }
        let tasks = try c.query("""
            SELECT noise_ratio, task, task_kind, method, accuracy_mean, accuracy_std, seeds
            FROM task_results WHERE sweep_id = $1 ORDER BY task_kind, task, noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.Task(
                noiseRatio: try r.decode(0), task: try r.decode(1), taskKind: TaskKind(rawValue: try r.decode(2)) ?? .id,
                method: try r.decode(3), mean: try r.decode(4), std: try r.decode(5, as: Double?.self), seeds: try r.decode(6))
        }
        func spectrum(_ r: PostgresRow) throws -> SweepReport.Spectrum {
            SweepReport.Spectrum(
                noiseRatio: try r.decode(0), task: try r.decode(1), features: try r.decode(2),
                sveMean: try r.decode(3, as: Double?.self), sveStd: try r.decode(4, as: Double?.self),
                lsvrMean: try r.decode(5, as: Double?.self), lsvrStd: try r.decode(6, as: Double?.self), seeds: try r.decode(7))
        }
        let spectrumRows = try c.query("""
            SELECT noise_ratio, task, features, sve_mean, sve_std, lsvr_mean, lsvr_std, seeds
            FROM spectrum_summary WHERE sweep_id = $1 ORDER BY task, noise_ratio, features <> 'frozen', features
            """, sweep.id).map(spectrum)
        let byNoise = try c.query("""
            WITH frozen AS (
                SELECT noise_ratio, task, seed, avg(sve) AS sve, avg(lsvr) AS lsvr
                FROM sweep_results WHERE sweep_id = $1 GROUP BY noise_ratio, task, seed
            ), per_seed AS (
                SELECT noise_ratio, 'frozen'::text AS features, seed, avg(sve) AS sve, avg(lsvr) AS lsvr
                FROM frozen GROUP BY noise_ratio, seed
                UNION ALL
                SELECT noise_ratio, method, seed, avg(tuned_sve), avg(tuned_lsvr)
                FROM sweep_results WHERE sweep_id = $1 AND (tuned_sve IS NOT NULL OR tuned_lsvr IS NOT NULL)
                GROUP BY noise_ratio, method, seed
            )
            SELECT noise_ratio, ''::text, features, avg(sve), stddev_samp(sve), avg(lsvr), stddev_samp(lsvr), count(*)
            FROM per_seed GROUP BY noise_ratio, features ORDER BY features <> 'frozen', features, noise_ratio
            """, sweep.id).map(spectrum)
        let effect = try c.query("""
            SELECT noise_ratio, method, id_delta, ood_delta FROM noise_effect WHERE sweep_id = $1 ORDER BY noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.NoiseEffect(noiseRatio: try r.decode(0), method: try r.decode(1),
                                    idDelta: try r.decode(2, as: Double?.self), oodDelta: try r.decode(3, as: Double?.self))
        }
        return SweepReport(sweep: sweep, summary: summary, tasks: tasks, spectrum: spectrumRows,
                           noiseEffect: effect, spectrumByNoise: byNoise)
    }

    /// The report views, by name, for CSV and JSON output.
    public static let reportViews = ["id_ood_summary", "task_results", "spectrum_summary", "noise_effect"]

    /// The rows of one report view (optionally of one sweep), as `SELECT *` returns them.
    ///
    /// - Parameter view: one of ``reportViews`` (anything else is refused, never spliced into SQL).
    public func viewRows(_ view: String, sweepID: Int64? = nil) throws -> PostgresRows {
        guard Self.reportViews.contains(view) else {
            throw SweepStoreError(.invalidArgument, "unknown view \"\(view)\"; views: \(Self.reportViews.joined(separator: ", "))")
        }
        return try connection.query(
            "SELECT * FROM \(view) WHERE $1::bigint IS NULL OR sweep_id = $1 ORDER BY sweep_id, noise_ratio", sweepID)
    }
}
