import ArgumentParser
import Foundation
import Postgres
import SweepStore

/// `nmsweep-bench store`: result rows per second through the store's batch path
/// (`SweepDatabase.insertResults`: one transaction per batch, COPY into `results` with its keys,
/// checks and cell-existence trigger), against two yardsticks measured in the same run on the same
/// server: a bare COPY into a table without keys, and one INSERT per round trip.
struct StoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Result rows/s into PostgreSQL through the store's batch path (target ≥ 100,000 rows/s).")

    @Option(help: "Result rows to insert.")
    var rows = 200_000

    @Option(help: "Rows per batch (one transaction each).")
    var batch = 10_000

    @Option(help: "Rows sent one INSERT per round trip, for the slow yardstick.")
    var singleRows = 2_000

    @Flag(help: "Run the server with fsync and synchronous_commit off (not how results are stored for real).")
    var nonDurable = false

    @Option(help: "Use (and keep) the embedded server in this state folder instead of a temporary one.")
    var stateDir: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard rows > 0, batch > 0, singleRows > 0 else { throw ValidationError("--rows, --batch and --single-rows must be positive") }
    }

    func run() throws {
        let directory = stateDir ?? "/tmp/nmsweep-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let server = EmbeddedPostgres(stateDirectory: directory, durable: !nonDurable)
        defer {
            if stateDir == nil {
                _ = try? server.stop()
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        let endpoint = try server.start()
        // A database of its own, so a kept server can run the benchmark again.
        let database = "bench_\(getpid())"
        try server.createDatabaseIfMissing(database, endpoint: endpoint)
        let db = try SweepDatabase(url: endpoint.socketURL(database: database))
        let sweep = try db.createSweep(name: "bench", grid: "bench", canonicalGrid: "{}").sweep
        let records = (0..<rows).map { Self.record($0) }

        let cellStart = ContinuousClock.now
        try db.insertCells(records.map { NewCell(key: $0.cellKey, kind: .evaluate, spec: "{\"i\": 0}") }, sweepID: sweep.id)
        let cellSeconds = Self.seconds(since: cellStart)

        // The store's batch path.
        let start = ContinuousClock.now
        var inserted = 0
        var index = 0
        while index < records.count {
            let end = min(index + batch, records.count)
            inserted += try db.insertResults(Array(records[index..<end]))
            index = end
        }
        let storeSeconds = Self.seconds(since: start)
        guard inserted == rows, try db.resultCount() == rows else {
            throw ValidationError("inserted \(inserted) of \(rows) rows: the benchmark's rows were not all stored")
        }

        // Yardstick 1: the same rows by bare COPY (no keys, no conflict handling, no cell update).
        let c = db.connection
        try c.execute("CREATE TABLE bare_copy (LIKE results INCLUDING DEFAULTS)")
        let copyStart = ContinuousClock.now
        index = 0
        while index < records.count {
            let end = min(index + batch, records.count)
            try c.transaction { tx in
                try tx.copyFrom("COPY bare_copy (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, tuned_sve, tuned_lsvr, train_loss, loss_terms, realized_noise, timings, worker_id) FROM STDIN") { w in
                    for r in records[index..<end] {
                        w.append(r.cellKey); w.append(r.noiseRatio); w.append(r.task); w.append(r.taskKind.rawValue)
                        w.append(r.method); w.append(Int(r.seed)); w.append(r.accuracy); w.append(r.sve); w.append(r.lsvr)
                        w.append(r.tunedSVE); w.append(r.tunedLSVR); w.append(r.trainLoss); w.append(r.lossTerms)
                        w.append(r.realizedNoise); w.append(r.timings); w.append(r.workerID)
                        try w.endRow()
                    }
                }
            }
            index = end
        }
        let copySeconds = Self.seconds(since: copyStart)

        // Yardstick 2: one INSERT per round trip (autocommit), on a sample.
        try c.execute("CREATE TABLE single_insert (LIKE results INCLUDING DEFAULTS)")
        let sample = records.prefix(singleRows)
        let singleStart = ContinuousClock.now
        for r in sample {
            try c.execute("INSERT INTO single_insert (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, timings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)",
                          r.cellKey, r.noiseRatio, r.task, r.taskKind.rawValue, r.method, r.seed, r.accuracy, r.sve, r.lsvr, r.timings)
        }
        let singleSeconds = Self.seconds(since: singleStart)

        let storeRate = Double(rows) / storeSeconds
        let copyRate = Double(rows) / copySeconds
        let singleRate = Double(sample.count) / singleSeconds
        if json {
            print("""
                {"benchmark":"store","rows":\(rows),"batch":\(batch),"durable":\(!nonDurable),\
                "store_rows_per_s":\(Int(storeRate)),"bare_copy_rows_per_s":\(Int(copyRate)),\
                "single_insert_rows_per_s":\(Int(singleRate)),"single_insert_rows":\(sample.count),\
                "cells_per_s":\(Int(Double(rows) / cellSeconds)),"target_rows_per_s":100000}
                """)
        } else {
            print("result rows into PostgreSQL \(Postgres.libraryVersion) client, \(rows) rows in batches of \(batch), \(nonDurable ? "non-durable" : "durable") embedded server, unix socket")
            print(String(format: "  store batch path (insertResults, keyed, cell-checked):          %9.0f rows/s  (%.2f s)", storeRate, storeSeconds))
            print(String(format: "  yardstick: bare COPY, no keys:                                 %9.0f rows/s  → store at %.0f %%", copyRate, 100 * storeRate / copyRate))
            print(String(format: "  yardstick: one INSERT per round trip (%d rows):              %9.0f rows/s  → store %.0f× faster", sample.count, singleRate, storeRate / singleRate))
            print(String(format: "  cells submitted (insertCells):                                 %9.0f cells/s", Double(rows) / cellSeconds))
            print(storeRate >= 100_000 ? "  target ≥ 100,000 rows/s: met" : "  target ≥ 100,000 rows/s: NOT met")
        }
    }

    /// A plausible result row: fixed-width fields like the real ones, all values from the index.
    static func record(_ i: Int) -> ResultRecord {
        let methods = ["lp", "mlp", "nmtune"]
        let tasks = ["cifar10", "cifar100", "flowers102", "dtd", "domainnet-sketch"]
        let key = String(format: "%016llx%016llx", UInt64(i) &* 0x9E37_79B9_7F4A_7C15, UInt64(i))
        return ResultRecord(
            cellKey: key, noiseRatio: Double(i % 6) * 0.05, task: tasks[i % tasks.count], taskKind: i % 5 == 4 ? .ood : .id,
            method: methods[i % 3], seed: Int64(i % 5), accuracy: 0.5 + Double(i % 1000) / 4000, sve: 4 + Double(i % 97) / 100,
            lsvr: 0.1 + Double(i % 89) / 1000, tunedSVE: i % 3 == 0 ? nil : 5.1, tunedLSVR: i % 3 == 0 ? nil : 0.08,
            trainLoss: 0.31, lossTerms: i % 3 == 2 ? "{\"mse\": 0.1, \"cov\": 0.02, \"sve\": 1.3}" : nil, realizedNoise: 0.1,
            timings: "{\"features_s\": 1.25, \"tune_s\": 3.5}", workerID: "worker-\(i % 8)")
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start) / .seconds(1)
    }
}
