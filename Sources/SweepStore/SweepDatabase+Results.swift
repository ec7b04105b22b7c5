import Postgres

extension SweepDatabase {
    /// Stores a batch of results atomically and exactly once: returns how many were new.
    ///
    /// One transaction. The fast path COPYs the batch straight into `results` inside a savepoint; if
    /// any result is already stored (unique violation), that is undone and the slow path runs: COPY
    /// into a session temporary table, then `INSERT … ON CONFLICT (cell_key) DO NOTHING`, so a result
    /// already stored, or repeated in the batch, is a no-op. Either the whole batch commits or none
    /// of it. Every result must name a stored cell (the schema checks it once per statement; else a
    /// `PostgresError` with SQLSTATE 23503 and nothing is stored). A cell with a result counts as done.
    ///
    /// Throughput: see `nmsweep-bench store`.
    @discardableResult
    public func insertResults(_ results: [ResultRecord]) throws -> Int {
        guard !results.isEmpty else { return 0 }
        for result in results { try Self.checkCellKey(result.cellKey) }
        // The fast path needs finished_at either given for every row or for none (then the default).
        let withTimes = results.filter { $0.finishedAt != nil }.count
        let fastPathPossible = withTimes == 0 || withTimes == results.count
        return try connection.transaction { c in
            if fastPathPossible {
                do {
                    return try c.transaction { savepoint in
                        try Self.copy(results, into: "results", withFinishedAt: withTimes > 0, savepoint)
                    }
                } catch let error as PostgresError where error.sqlState == "23505" {
                    // A duplicate: the savepoint is rolled back; take the path that skips it.
                }
            }
            try c.execute("""
                CREATE TEMP TABLE IF NOT EXISTS results_incoming (
                    cell_key text, noise_ratio float8, task text, task_kind text, method text, seed bigint,
                    accuracy float8, sve float8, lsvr float8, tuned_sve float8, tuned_lsvr float8, train_loss float8,
                    loss_terms text, realized_noise float8, timings text, worker_id text, finished_at timestamptz
                ) ON COMMIT DELETE ROWS
                """)
            try Self.copy(results, into: "results_incoming", withFinishedAt: true, c)
            return try c.execute("""
                INSERT INTO results (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr,
                                     tuned_sve, tuned_lsvr, train_loss, loss_terms, realized_noise, timings,
                                     worker_id, finished_at)
                SELECT cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr,
                       tuned_sve, tuned_lsvr, train_loss, loss_terms::jsonb, realized_noise, timings::jsonb,
                       worker_id, coalesce(finished_at, now())
                FROM results_incoming
                ON CONFLICT (cell_key) DO NOTHING
                """)
        }
    }

    /// COPYs `results` into `table` (which has the columns of `results`); returns rows copied.
    static func copy(_ results: [ResultRecord], into table: String, withFinishedAt: Bool, _ c: PostgresConnection) throws -> Int {
        let columns = "cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, tuned_sve, tuned_lsvr, "
            + "train_loss, loss_terms, realized_noise, timings, worker_id" + (withFinishedAt ? ", finished_at" : "")
        return try c.copyFrom("COPY \(table) (\(columns)) FROM STDIN") { w in
            for r in results {
                w.append(r.cellKey)
                w.append(r.noiseRatio)
                w.append(r.task)
                w.append(r.taskKind.rawValue)
                w.append(r.method)
                w.append(Int(r.seed))
                w.append(r.accuracy)
                w.append(r.sve)
                w.append(r.lsvr)
                w.append(r.tunedSVE)
                w.append(r.tunedLSVR)
                w.append(r.trainLoss)
                w.append(r.lossTerms)
                w.append(r.realizedNoise)
                w.append(r.timings)
                w.append(r.workerID)
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
                   train_loss, loss_terms::text, realized_noise, timings::text, worker_id, finished_at::text
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
                workerID: try row.decode(15, as: String?.self), finishedAt: try row.decode(16, as: String?.self))
        }
    }
}
