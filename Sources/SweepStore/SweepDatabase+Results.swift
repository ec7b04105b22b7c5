import NoisyCore
import Postgres

extension SweepDatabase {
    /// Stores a batch of results atomically and exactly once: returns how many were new.
    ///
    /// The batch is sorted by cell key first, so the primary-key B-tree takes it in key order (each
    /// leaf visited once, in order: ~1.5× the random order). Fast path, when no row gives
    /// `finishedAt` and no key repeats inside the batch: one transaction, a binary COPY straight into
    /// `results`. If a result is already stored (unique violation) that transaction is rolled back
    /// and the slow path runs in a new one: binary COPY into a session temporary table, then
    /// `INSERT … ON CONFLICT (cell_key) DO NOTHING`, so a result already stored is a no-op; a key
    /// repeated inside the batch stores its first occurrence. Either the whole batch commits or none
    /// of it (called inside a caller's transaction, both paths run in savepoints of it). Every result
    /// must name a stored cell (the schema checks it once per statement; else a `PostgresError` with
    /// SQLSTATE 23503 and nothing is stored). A cell with a result counts as done.
    ///
    /// Throughput: see `nmsweep-bench store` (docs/schema.md, "The results insert path").
    @discardableResult
    public func insertResults(_ results: [ResultRecord]) throws -> Int {
        guard !results.isEmpty else { return 0 }
        for result in results { try Self.checkCellKey(result.cellKey) }
        // Key order, ties in batch order (so "first occurrence" is well defined). Keys are checked
        // lower-case hex, so String's order is the byte order of the "C"-collated index.
        let order = results.indices.sorted { a, b in
            let ka = results[a].cellKey, kb = results[b].cellKey
            return ka < kb || (ka == kb && a < b)
        }
        var unique: [Int] = []
        unique.reserveCapacity(order.count)
        for i in order where unique.last.map({ results[$0].cellKey != results[i].cellKey }) ?? true {
            unique.append(i)
        }
        let fastPathPossible = unique.count == results.count && results.allSatisfy { $0.finishedAt == nil }
        if fastPathPossible {
            do {
                return try connection.transaction { c in try Self.copyDirect(results, order: unique, c) }
            } catch let error as PostgresError where error.sqlState == "23505" {
                // Something is already stored: that transaction is rolled back; take the path that skips it.
            }
        }
        return try connection.transaction { c in
            try c.execute("""
                CREATE TEMP TABLE IF NOT EXISTS results_staging (
                    cell_key text, noise_ratio float8, task text, task_kind text, method text, seed bigint,
                    accuracy float8, sve float8, lsvr float8, tuned_sve float8, tuned_lsvr float8, train_loss float8,
                    loss_terms text, realized_noise float8, timings text, worker_id text,
                    task_domain text, classes integer, probe_seed bigint, finished_at text
                ) ON COMMIT DELETE ROWS
                """)
            _ = try Self.copy(results, order: unique, into: "results_staging", withFinishedAt: true, jsonAsText: true, c)
            return try c.execute("""
                INSERT INTO results (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr,
                                     tuned_sve, tuned_lsvr, train_loss, loss_terms, realized_noise, timings,
                                     worker_id, task_domain, classes, probe_seed, finished_at)
                SELECT cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr,
                       tuned_sve, tuned_lsvr, train_loss, loss_terms::jsonb, realized_noise, timings::jsonb,
                       worker_id, task_domain, classes, probe_seed, coalesce(finished_at::timestamptz, now())
                FROM results_staging
                ORDER BY cell_key
                ON CONFLICT (cell_key) DO NOTHING
                """)
        }
    }

    /// The fast path's COPY: `results[order]` straight into `results` (finished_at by its default).
    static func copyDirect(_ results: [ResultRecord], order: [Int], _ c: PostgresConnection) throws -> Int {
        try copy(results, order: order, into: "results", withFinishedAt: false, jsonAsText: false, c)
    }

    /// Binary-COPYs `results[order]` into `table`, which has the columns of `results` (with
    /// `jsonAsText`, its JSON columns and finished_at are `text`); returns rows copied.
    static func copy(_ results: [ResultRecord], order: [Int], into table: String, withFinishedAt: Bool,
                     jsonAsText: Bool, _ c: PostgresConnection) throws -> Int {
        let columns = "cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, tuned_sve, tuned_lsvr, "
            + "train_loss, loss_terms, realized_noise, timings, worker_id, task_domain, classes, probe_seed"
            + (withFinishedAt ? ", finished_at" : "")
        return try c.copyFromBinary("COPY \(table) (\(columns)) FROM STDIN (FORMAT binary)",
                                    columnCount: withFinishedAt ? 20 : 19) { w in
            for i in order {
                let r = results[i]
                w.append(r.cellKey)
                w.append(r.noiseRatio)
                w.append(r.task)
                w.append(r.taskKind.rawValue)
                w.append(r.method)
                w.append(r.seed)
                w.append(r.accuracy)
                w.append(r.sve)
                w.append(r.lsvr)
                w.append(r.tunedSVE)
                w.append(r.tunedLSVR)
                w.append(r.trainLoss)
                if jsonAsText { w.append(r.lossTerms) } else { w.appendJSONB(r.lossTerms) }
                w.append(r.realizedNoise)
                if jsonAsText { w.append(r.timings) } else { w.appendJSONB(r.timings) }
                w.append(r.workerID)
                w.append(r.taskDomain)
                if let classes = r.classes { w.append(int32: Int32(clamping: classes)) } else { w.appendNull() }
                if let probeSeed = r.probeSeed { w.append(probeSeed) } else { w.appendNull() }
                if withFinishedAt { w.append(r.finishedAt) }
                try w.endRow()
            }
        }
    }

    /// The number of results stored (for a sweep, or in all).
    public func resultCount(sweepID: Int64? = nil) throws -> Int {
        if let sweepID {
            return try connection.query("SELECT count(*) FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key WHERE sc.sweep_id = $1",
                                        sweepID)[0].decode(0)
        }
        return try connection.query("SELECT count(*) FROM results", [])[0].decode(0)
    }

    /// The stored result of a cell, or nil.
    public func result(cellKey: String) throws -> ResultRecord? {
        let rows = try connection.query("""
            SELECT cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, tuned_sve, tuned_lsvr,
                   train_loss, loss_terms::text, realized_noise, timings::text, worker_id, finished_at::text,
                   task_domain, classes, probe_seed
            FROM results WHERE cell_key = $1
            """, cellKey)
        return try rows.first.map { row in
            ResultRecord(
                cellKey: try row.decode(0), noiseRatio: try row.decode(1), task: try row.decode(2),
                taskKind: TaskKind(rawValue: try row.decode(3)) ?? .id, method: try row.decode(4), seed: try row.decode(5),
                accuracy: try row.decode(6), sve: try row.decode(7), lsvr: try row.decode(8),
                tunedSVE: try row.decode(9, as: Double?.self), tunedLSVR: try row.decode(10, as: Double?.self),
                trainLoss: try row.decode(11, as: Double?.self), lossTerms: try row.decode(12, as: String?.self),
                realizedNoise: try row.decode(13, as: Double?.self), timings: try row.decode(14),
                workerID: try row.decode(15, as: String?.self), finishedAt: try row.decode(16, as: String?.self),
                taskDomain: try row.decode(17, as: String?.self), classes: try row.decode(18, as: Int32?.self).map(Int.init),
                probeSeed: try row.decode(19, as: Int64?.self))
        }
    }
}
