public import NoisyCore
public import SweepKit
public import Postgres

/// Everything `nmsweep report` shows for one sweep, read from the report views.
///
/// A report says what it is made of: every mean is over complete seeds only (a seed that lacks a
/// task, or a probe seed of it, does not enter that mean), each row carries its counts (seeds in the
/// mean of seeds expected, cells done of expected), and the cells not done are listed by grid point.
public struct SweepReport: Sendable {
    /// One row of `id_ood_summary`: the paper's ID/OOD averages over transfer tasks.
    /// Accuracies are fractions in [0, 1]; std is nil with fewer than two complete seeds.
    public struct Summary: Sendable, Equatable {
        public var noiseRatio: Double
        public var method: String
        public var idMean: Double?, idStd: Double?, idSeeds: Int, idCells: Int
        public var oodMean: Double?, oodStd: Double?, oodSeeds: Int, oodCells: Int
        public var idSeedsExpected: Int, idCellsExpected: Int, oodSeedsExpected: Int, oodCellsExpected: Int
        public var complete: Bool
    }

    /// One row of `group_summary`: a noise ratio × method × task group (kind × domain).
    public struct Group: Sendable, Equatable {
        public var noiseRatio: Double
        public var method: String
        public var taskKind: TaskKind
        /// `transfer` or `source`.
        public var taskDomain: String
        public var tasks: Int
        public var mean: Double?, std: Double?
        /// 95 % t-interval of the mean over complete seeds (nil with fewer than two).
        public var ciLow: Double?, ciHigh: Double?
        /// Complete seeds (in the mean) and seeds the grid has.
        public var seeds: Int, seedsExpected: Int
        public var cellsDone: Int, cellsExpected: Int, cellsFailed: Int, cellsNotRun: Int
        public var complete: Bool
        /// What is missing, when not complete.
        public var note: String?
    }

    /// One row of `task_results`.
    public struct Task: Sendable, Equatable {
        public var noiseRatio: Double
        public var task: String
        public var taskKind: TaskKind
        public var taskDomain: String
        public var method: String
        /// nil when no seed of this grid point is complete.
        public var mean: Double?
        public var std: Double?
        public var seeds: Int
        public var seedsExpected: Int
        public var classes: Int?
        public var cellsDone: Int, cellsExpected: Int, cellsFailed: Int
        public var complete: Bool
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

    /// One row of `effects`: a paired difference (or per-seed slope) with its 95 % t-interval.
    public struct Effect: Sendable, Equatable {
        /// `noise`, `nmtune-lp`, `nmtune-mlp` or `slope`.
        public var effect: String
        /// `accuracy`, `sve` or `lsvr`.
        public var metric: String
        public var taskDomain: String
        public var taskKind: TaskKind
        /// nil: the group average.
        public var task: String?
        public var method: String?
        /// nil for slopes.
        public var noiseRatio: Double?
        public var n: Int, seedsExpected: Int
        public var mean: Double?, stdErr: Double?, ciLow: Double?, ciHigh: Double?
        public var excludesZero: Bool?

        public init(effect: String, metric: String, taskDomain: String, taskKind: TaskKind, task: String? = nil,
                    method: String?, noiseRatio: Double?, n: Int, seedsExpected: Int, mean: Double?,
                    stdErr: Double?, ciLow: Double?, ciHigh: Double?, excludesZero: Bool?) {
            self.effect = effect
            self.metric = metric
            self.taskDomain = taskDomain
            self.taskKind = taskKind
            self.task = task
            self.method = method
            self.noiseRatio = noiseRatio
            self.n = n
            self.seedsExpected = seedsExpected
            self.mean = mean
            self.stdErr = stdErr
            self.ciLow = ciLow
            self.ciHigh = ciHigh
            self.excludesZero = excludesZero
        }
    }

    public var sweep: SweepRecord
    public var summary: [Summary]
    public var groups: [Group]
    public var tasks: [Task]
    public var spectrum: [Spectrum]
    public var noiseEffect: [NoiseEffect]
    public var effects: [Effect]
    /// Spectrum per noise ratio × features, averaged over tasks for each seed, then over seeds.
    public var spectrumByNoise: [Spectrum]
    /// The cells of the sweep that are not done (failed first), by grid point; at most ``unfinishedLimit``.
    public var unfinished: [SweepCell]
    /// Cells of the sweep by kind and state (`done` for a cell with a result).
    public var cellCounts: [CellKind: [StoredCellState: Int]]

    public static let unfinishedLimit = 200

    public func cells(_ kind: CellKind? = nil, _ state: StoredCellState? = nil) -> Int {
        cellCounts.filter { kind == nil || $0.key == kind }.values
            .flatMap { $0.filter { state == nil || $0.key == state } }.map(\.value).reduce(0, +)
    }

    /// Whether every cell of the sweep is done.
    public var isComplete: Bool { cells() == cells(nil, .done) }

    /// Methods in the paper's order (LP, MLP, NMTune), then any others alphabetically — every
    /// method of the grid, with or without results.
    public var methods: [String] {
        let all = Set(groups.map(\.method)).union(tasks.map(\.method)).union(summary.map(\.method))
        return all.sorted { Self.methodRank($0, $1) }
    }

    public var noiseRatios: [Double] { Array(Set(groups.map(\.noiseRatio)).union(summary.map(\.noiseRatio))).sorted() }

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

/// A cell of a sweep with its grid point: one row of the `grid_cells` view.
public struct SweepCell: Sendable, Equatable {
    public var key: String
    public var kind: CellKind
    public var state: StoredCellState
    /// nil for pretrain cells.
    public var task: String?
    public var taskKind: TaskKind?
    public var noiseRatio: Double?
    public var method: String?
    /// The model's seed; the probe seed (split, probe initialisation, batch order) for evaluate cells.
    public var seed: Int64?
    public var probeSeed: Int64?
    public var attempts: Int
    public var lastError: String?

    /// The grid point in words: `evaluate fmnist noise 0.10 mlp seed 2`, `pretrain noise 0.30 seed 1`.
    public var point: String {
        var parts = [kind.rawValue]
        if let task { parts.append(task) }
        if let noiseRatio { parts.append("noise " + String(format: "%.2f", noiseRatio)) }
        if let method { parts.append(method) }
        if let seed { parts.append("seed \(seed)") }
        if let probeSeed, probeSeed != seed { parts.append("probe seed \(probeSeed)") }
        return parts.joined(separator: " ")
    }
}

extension SweepCell {
    /// Reads the columns cell_key, kind, state, task, task_kind, noise_ratio, method, seed,
    /// probe_seed, attempts, last_error of `grid_cells`, in that order.
    init(row r: PostgresRow) throws {
        self.init(key: try r.decode(0), kind: CellKind(rawValue: try r.decode(1)) ?? .evaluate,
                  state: StoredCellState(rawValue: try r.decode(2)) ?? .queued, task: try r.decode(3, as: String?.self),
                  taskKind: try r.decode(4, as: String?.self).flatMap(TaskKind.init(rawValue:)),
                  noiseRatio: try r.decode(5, as: Double?.self), method: try r.decode(6, as: String?.self),
                  seed: try r.decode(7, as: Int64?.self), probeSeed: try r.decode(8, as: Int64?.self),
                  attempts: try r.decode(9), lastError: try r.decode(10, as: String?.self))
    }
}

extension SweepDatabase {
    /// The report of a sweep: the views' rows for it, ordered by noise ratio, then method/task.
    public func report(sweep: SweepRecord) throws -> SweepReport {
        let c = connection
        let summary = try c.query("""
            SELECT noise_ratio, method, id_mean, id_std, id_seeds, id_cells, ood_mean, ood_std, ood_seeds, ood_cells,
                   id_seeds_expected, id_cells_expected, ood_seeds_expected, ood_cells_expected, complete
            FROM id_ood_summary WHERE sweep_id = $1 ORDER BY noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.Summary(
                noiseRatio: try r.decode(0), method: try r.decode(1),
                idMean: try r.decode(2, as: Double?.self), idStd: try r.decode(3, as: Double?.self),
                idSeeds: try r.decode(4), idCells: try r.decode(5),
                oodMean: try r.decode(6, as: Double?.self), oodStd: try r.decode(7, as: Double?.self),
                oodSeeds: try r.decode(8), oodCells: try r.decode(9),
                idSeedsExpected: try r.decode(10), idCellsExpected: try r.decode(11),
                oodSeedsExpected: try r.decode(12), oodCellsExpected: try r.decode(13), complete: try r.decode(14))
        }
        let groups = try c.query("""
            SELECT noise_ratio, method, task_kind, task_domain, tasks, accuracy_mean, accuracy_std, seeds, seeds_expected,
                   cells_done, cells_expected, cells_failed, cells_not_run, complete, note, accuracy_ci_low, accuracy_ci_high
            FROM group_summary WHERE sweep_id = $1 ORDER BY task_domain DESC, task_kind, noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.Group(
                noiseRatio: try r.decode(0), method: try r.decode(1), taskKind: TaskKind(rawValue: try r.decode(2)) ?? .id,
                taskDomain: try r.decode(3), tasks: try r.decode(4), mean: try r.decode(5, as: Double?.self),
                std: try r.decode(6, as: Double?.self), ciLow: try r.decode(15, as: Double?.self),
                ciHigh: try r.decode(16, as: Double?.self), seeds: try r.decode(7), seedsExpected: try r.decode(8),
                cellsDone: try r.decode(9), cellsExpected: try r.decode(10), cellsFailed: try r.decode(11),
                cellsNotRun: try r.decode(12), complete: try r.decode(13), note: try r.decode(14, as: String?.self))
        }
        let tasks = try c.query("""
            SELECT noise_ratio, task, task_kind, task_domain, method, accuracy_mean, accuracy_std, seeds, seeds_expected,
                   classes, cells_done, cells_expected, cells_failed, complete
            FROM task_results WHERE sweep_id = $1 ORDER BY task_domain DESC, task_kind, task, noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.Task(
                noiseRatio: try r.decode(0), task: try r.decode(1), taskKind: TaskKind(rawValue: try r.decode(2)) ?? .id,
                taskDomain: try r.decode(3), method: try r.decode(4), mean: try r.decode(5, as: Double?.self),
                std: try r.decode(6, as: Double?.self), seeds: try r.decode(7), seedsExpected: try r.decode(8),
                classes: try r.decode(9, as: Int?.self), cellsDone: try r.decode(10), cellsExpected: try r.decode(11),
                cellsFailed: try r.decode(12), complete: try r.decode(13))
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
        let noiseEffect = try c.query("""
            SELECT noise_ratio, method, id_delta, ood_delta FROM noise_effect WHERE sweep_id = $1 ORDER BY noise_ratio, method
            """, sweep.id).map { r in
            SweepReport.NoiseEffect(noiseRatio: try r.decode(0), method: try r.decode(1),
                                    idDelta: try r.decode(2, as: Double?.self), oodDelta: try r.decode(3, as: Double?.self))
        }
        let effects = try c.query("""
            SELECT effect, metric, task_domain, task_kind, task, method, noise_ratio, n, seeds_expected,
                   mean_diff, std_err, ci_low, ci_high, excludes_zero
            FROM effects WHERE sweep_id = $1
            ORDER BY effect, metric, task_domain DESC, task_kind, task NULLS FIRST, method, noise_ratio
            """, sweep.id).map { r in
            SweepReport.Effect(
                effect: try r.decode(0), metric: try r.decode(1), taskDomain: try r.decode(2),
                taskKind: TaskKind(rawValue: try r.decode(3)) ?? .id, task: try r.decode(4, as: String?.self),
                method: try r.decode(5, as: String?.self), noiseRatio: try r.decode(6, as: Double?.self),
                n: try r.decode(7), seedsExpected: try r.decode(8), mean: try r.decode(9, as: Double?.self),
                stdErr: try r.decode(10, as: Double?.self), ciLow: try r.decode(11, as: Double?.self),
                ciHigh: try r.decode(12, as: Double?.self), excludesZero: try r.decode(13, as: Bool?.self))
        }
        var counts = [CellKind: [StoredCellState: Int]]()
        for r in try c.query("SELECT kind, state, count(*) FROM grid_cells WHERE sweep_id = $1 GROUP BY kind, state", sweep.id) {
            guard let kind = CellKind(rawValue: try r.decode(0)), let state = StoredCellState(rawValue: try r.decode(1)) else { continue }
            counts[kind, default: [:]][state] = try r.decode(2, as: Int.self)
        }
        return SweepReport(sweep: sweep, summary: summary, groups: groups, tasks: tasks, spectrum: spectrumRows,
                           noiseEffect: noiseEffect, effects: effects, spectrumByNoise: byNoise,
                           unfinished: try gridCells(sweepID: sweep.id, notDone: true, limit: SweepReport.unfinishedLimit),
                           cellCounts: counts)
    }

    /// A sweep's cells by grid point (`grid_cells`): failed first, then leased, queued, cancelled;
    /// with `notDone`, only the cells without a result.
    public func gridCells(sweepID: Int64, notDone: Bool = false, states: [StoredCellState]? = nil, limit: Int = 1000) throws -> [SweepCell] {
        try connection.query("""
            SELECT cell_key, kind, state, task, task_kind, noise_ratio, method, seed, probe_seed, attempts, last_error
            FROM grid_cells
            WHERE sweep_id = $1 AND (NOT $2 OR state <> 'done') AND ($3::text[] IS NULL OR state = ANY ($3::text[]))
            ORDER BY array_position(ARRAY['failed', 'leased', 'queued', 'cancelled', 'done'], state),
                     kind DESC, task, noise_ratio, method, seed, probe_seed, cell_key
            LIMIT $4
            """, sweepID, notDone, states.map { "{" + $0.map(\.rawValue).joined(separator: ",") + "}" }, limit).map(SweepCell.init(row:))
    }

    /// The report views, by name, for CSV and JSON output.
    public static let reportViews = ["id_ood_summary", "group_summary", "task_results", "spectrum_summary",
                                     "noise_effect", "effects", "grid_cells"]

    /// The rows of one report view (optionally of one sweep), as `SELECT *` returns them.
    ///
    /// - Parameter view: one of ``reportViews`` (anything else is refused, never spliced into SQL).
    public func viewRows(_ view: String, sweepID: Int64? = nil) throws -> PostgresRows {
        guard Self.reportViews.contains(view) else {
            throw SweepStoreError(.invalidArgument, "unknown view \"\(view)\"; views: \(Self.reportViews.joined(separator: ", "))")
        }
        let order: String
        switch view {
        case "effects": order = "sweep_id, effect, metric, task_domain DESC, task_kind, task NULLS FIRST, method, noise_ratio"
        case "grid_cells": order = "sweep_id, kind DESC, task, noise_ratio, method, seed, probe_seed, cell_key"
        case "group_summary": order = "sweep_id, task_domain DESC, task_kind, noise_ratio, method"
        case "task_results": order = "sweep_id, task_domain DESC, task_kind, task, noise_ratio, method"
        default: order = "sweep_id, noise_ratio"
        }
        return try connection.query(
            "SELECT * FROM \(view) WHERE $1::bigint IS NULL OR sweep_id = $1 ORDER BY \(order)", sweepID)
    }
}
