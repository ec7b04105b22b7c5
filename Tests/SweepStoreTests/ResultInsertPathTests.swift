import Postgres
import SweepStore
import TestSupport
import Testing

/// The results batch path (binary COPY, key-sorted, duplicates resolved): every field stored exactly,
/// duplicates inside one batch and across batches are no-ops, and the schema's guarantees hold.
@Suite struct ResultInsertPathTests {
    static func full(_ key: String, _ i: Int) -> ResultRecord {
        ResultRecord(cellKey: key, noiseRatio: Double(i % 6) * 0.05, task: "task\t\(i) 'ü'\\", taskKind: i % 2 == 0 ? .ood : .id,
                     method: "nm;tune", seed: Int64(i) - 3, accuracy: 0.1 + 0.2, sve: .pi, lsvr: .leastNonzeroMagnitude,
                     tunedSVE: i % 3 == 0 ? nil : -0.0, tunedLSVR: i % 3 == 0 ? nil : 1e300,
                     trainLoss: i % 4 == 0 ? nil : .infinity, lossTerms: i % 2 == 0 ? nil : "{\"cov\": 0.02, \"mse\": 0.1}",
                     realizedNoise: i % 5 == 0 ? nil : 0.0999, timings: "{\"tune_s\": \(i)}", workerID: i % 2 == 0 ? nil : "w-\(i)")
    }

    @Test func everyFieldReadsBackExactly() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("resfields"))
        let s = try Fixture.sweep(db)
        let keys = (0..<12).map { Fixture.key(5, 11 - $0) }   // given in descending key order
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        let records = keys.enumerated().map { Self.full($1, $0) }
        #expect(try db.insertResults(records) == 12)
        for original in records {
            var stored = try #require(try db.result(cellKey: original.cellKey))
            #expect(stored.finishedAt != nil)
            stored.finishedAt = nil
            #expect(stored.tunedSVE?.bitPattern == original.tunedSVE?.bitPattern)  // -0.0 kept
            #expect(stored == original)
        }
    }

    @Test func duplicatesInsideOneBatchStoreTheFirstOccurrence() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("resdupin"))
        let s = try Fixture.sweep(db)
        let keys = (0..<1000).map { Fixture.key(6, $0) }
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        // Each key three times, interleaved; the first occurrence has accuracy 0.25.
        var batch = keys.map { Fixture.result($0, accuracy: 0.25) }
        batch += keys.reversed().map { Fixture.result($0, accuracy: 0.5) }
        batch += keys.map { Fixture.result($0, accuracy: 0.75) }
        #expect(try db.insertResults(batch) == 1000)
        #expect(try db.resultCount() == 1000)
        let accuracies = try db.connection.query("SELECT DISTINCT accuracy FROM results", [])
        #expect(accuracies.count == 1)
        #expect(try accuracies[0].decode(0, as: Double.self) == 0.25)
    }

    @Test func duplicatesAcrossBatchesAreNoOps() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("resdupacross"))
        let s = try Fixture.sweep(db)
        let keys = (0..<3000).map { Fixture.key(7, $0) }
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        #expect(try db.insertResults(keys[0..<2000].map { Fixture.result($0, accuracy: 0.1) }) == 2000)
        // Overlapping batch: 1000 already stored, 1000 new; the stored ones keep their values.
        #expect(try db.insertResults(keys[1000..<3000].map { Fixture.result($0, accuracy: 0.9) }) == 1000)
        #expect(try db.insertResults(keys.map { Fixture.result($0, accuracy: 0.5) }) == 0)
        #expect(try db.resultCount() == 3000)
        let low = try db.connection.query("SELECT count(*) FROM results WHERE accuracy = 0.1", [])[0].decode(0, as: Int.self)
        #expect(low == 2000)
        // A result given with its finish time takes the staging path and keeps that time.
        let key = Fixture.key(7, 9999)
        try db.insertCells([NewCell(key: key, kind: .evaluate, spec: "{}")], sweepID: s.id)
        var timed = Fixture.result(key)
        timed.finishedAt = "2024-05-01 12:00:00+00"
        #expect(try db.insertResults([timed, Fixture.result(keys[0])]) == 1)
        let stored = try db.connection.query("SELECT finished_at = '2024-05-01 12:00:00+00'::timestamptz FROM results WHERE cell_key = $1", key)
        #expect(try stored[0].decode(0, as: Bool.self))
    }

    @Test func unknownCellsAreRefusedOnBothPathsAndByUpdate() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("resunknown"))
        let s = try Fixture.sweep(db)
        let keys = (0..<100).map { Fixture.key(8, $0) }
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        let unknown = Fixture.key(8, 5000)
        // Fast path (no duplicates), then the staging path (an in-batch duplicate forces it).
        let fast = try #require(throws: PostgresError.self) { try db.insertResults(keys.map { Fixture.result($0) } + [Fixture.result(unknown)]) }
        #expect(fast.sqlState == "23503" && fast.message.contains(unknown))
        let slow = try #require(throws: PostgresError.self) {
            try db.insertResults(keys.map { Fixture.result($0) } + [Fixture.result(keys[0]), Fixture.result(unknown)])
        }
        #expect(slow.sqlState == "23503")
        #expect(try db.resultCount() == 0)
        // Malformed keys never reach the server.
        #expect(throws: SweepStoreError.self) { try db.insertResults([Fixture.result("NOT-HEX-KEY-0123456789")]) }
        // The format check on results is gone (migration 3); an UPDATE to a key with no cell is refused.
        #expect(try db.insertResults(keys.map { Fixture.result($0) }) == 100)
        let update = try #require(throws: PostgresError.self) {
            try db.connection.execute("UPDATE results SET cell_key = 'zz' WHERE cell_key = $1", keys[3])
        }
        #expect(update.sqlState == "23503")
        #expect(try db.connection.execute("UPDATE results SET accuracy = 0.9 WHERE cell_key = $1", keys[3]) == 1)
    }

    @Test func insideACallersTransactionTheBatchRollsBackWithIt() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("restx"))
        let s = try Fixture.sweep(db)
        let keys = (0..<50).map { Fixture.key(9, $0) }
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        #expect(try db.insertResults(Array(keys[0..<10]).map { Fixture.result($0) }) == 10)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.connection.transaction { _ in
                // Overlaps the stored ten: fast path fails inside a savepoint, the staging path runs.
                #expect(try db.insertResults(keys.map { Fixture.result($0) }) == 40)
                throw Abort()
            }
        }
        #expect(try db.resultCount() == 10)
    }
}
