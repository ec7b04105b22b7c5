import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

@Suite struct RepositoryTests {
    @Test func sweepCreationIsIdempotentByName() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("sweeps"))
        let a = try db.createSweep(name: "paper", grid: "g1", canonicalGrid: "{\"v\": 1}")
        let b = try db.createSweep(name: "paper", grid: "g2", canonicalGrid: "{\"v\": 2}")
        #expect(a.created && !b.created)
        #expect(a.sweep.id == b.sweep.id)
        #expect(b.sweep.grid == "g2")
        #expect(try db.sweeps().count == 1)
        try db.setSweepState(a.sweep.id, .running)
        #expect(try db.sweep(named: "paper")?.state == .running)
        let missing = try #require(throws: SweepStoreError.self) { try db.requireSweep(named: "nope") }
        #expect(missing.code == .notFound && missing.hint?.contains("paper") == true)
    }

    @Test func cellsAreInsertedOnceAndSharedBetweenSweeps() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("cells"))
        let s1 = try Fixture.sweep(db, "one"), s2 = try Fixture.sweep(db, "two")
        let pre = NewCell(key: Fixture.key(1), kind: .pretrain, spec: "{\"noise\": 0.1}")
        let eval = NewCell(key: Fixture.key(2), kind: .evaluate, spec: "{\"task\": \"x\"}", dependsOn: pre.key)
        #expect(try db.insertCells([eval, pre], sweepID: s1.id) == 2)  // dependency later in the same batch
        #expect(try db.insertCells([pre, eval, eval], sweepID: s1.id) == 0)
        #expect(try db.insertCells([pre, eval], sweepID: s2.id) == 0)  // shared: linked, not duplicated
        #expect(try db.cellCounts(sweepID: s2.id)[.queued] == 2)
        #expect(try db.connection.query("SELECT count(*) FROM cells", [])[0].decode(0, as: Int.self) == 2)
        #expect(throws: SweepStoreError.self) { try db.insertCells([NewCell(key: "NOT-HEX", kind: .evaluate, spec: "{}")], sweepID: s1.id) }
        try db.setCellState(eval.key, .leased, leaseOwner: "w1", leaseSeconds: 30)
        try db.setCellState(eval.key, .failed, error: "NaN loss; 'quoted'")
        let failed = try db.failedCells(sweepID: s1.id)
        #expect(failed.count == 1 && failed[0].attempts == 1 && failed[0].lastError == "NaN loss; 'quoted'")
    }

    @Test func aResultInsertedTwiceIsOneRow() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("dupe"))
        let s = try Fixture.sweep(db)
        let key = Fixture.key(7)
        try db.insertCells([NewCell(key: key, kind: .evaluate, spec: "{}")], sweepID: s.id)
        let first = Fixture.result(key, accuracy: 0.7)
        #expect(try db.insertResults([first]) == 1)
        #expect(try db.insertResults([Fixture.result(key, accuracy: 0.1)]) == 0)   // a duplicate is a no-op
        #expect(try db.insertResults([first, first]) == 0)
        #expect(try db.resultCount() == 1)
        // A mix of new and already-stored results stores only the new one.
        let key2 = Fixture.key(8)
        try db.insertCells([NewCell(key: key2, kind: .evaluate, spec: "{}")], sweepID: s.id)
        #expect(try db.insertResults([Fixture.result(key, accuracy: 0.2), Fixture.result(key2)]) == 1)
        #expect(try db.resultCount() == 2)
        let raw = try #require(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO results (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr) VALUES ($1, 0, 't', 'id', 'lp', 1, 0.5, 1, 1)", Fixture.key(9))
        }
        #expect(raw.sqlState == "23503")
        let stored = try #require(try db.result(cellKey: key))
        #expect(stored.accuracy == 0.7)
        #expect(try db.cellCounts(sweepID: s.id)[.done] == 2)
    }

    @Test func aBatchOfTenThousandCommitsAtomically() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("batch"))
        let s = try Fixture.sweep(db)
        let keys = (0..<10_000).map { Fixture.key(42, $0) }
        try db.insertCells(keys.map { NewCell(key: $0, kind: .evaluate, spec: "{}") }, sweepID: s.id)
        // A batch whose last row names a cell that does not exist fails as a whole.
        var bad = keys.map { Fixture.result($0, seed: 1) }
        bad[9_999] = Fixture.result(Fixture.key(99, 99))
        let error = try #require(throws: PostgresError.self) { try db.insertResults(bad) }
        #expect(error.sqlState == "23503" && error.message.contains(Fixture.key(99, 99)))
        // The same through the slow path (a duplicate in the batch forces it).
        var badWithDuplicate = bad
        badWithDuplicate[1] = badWithDuplicate[0]
        #expect(throws: PostgresError.self) { try db.insertResults(badWithDuplicate) }
        #expect(try db.resultCount() == 0)
        #expect(try db.cellCounts(sweepID: s.id)[.done] == 0)
        // Invalid JSON in the last row: nothing either.
        var badJSON = keys.map { Fixture.result($0) }
        badJSON[9_999].timings = "{not json"
        #expect(throws: PostgresError.self) { try db.insertResults(badJSON) }
        #expect(try db.resultCount() == 0)
        // The good batch: all 10,000, cells done.
        #expect(try db.insertResults(keys.map { Fixture.result($0) }) == 10_000)
        #expect(try db.resultCount(sweepID: s.id) == 10_000)
        #expect(try db.cellCounts(sweepID: s.id)[.done] == 10_000)
    }

    @Test func textIsStoredAndReportedVerbatim() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("verbatim"))
        let name = "O'Brien's \"sweep\"; DROP TABLE results; -- ünïcödé 日本 🧪 | tab\there"
        let task = "task; 'quoted' \\ back|slash ñ"
        let s = try Fixture.sweep(db, name)
        let key = Fixture.key(3)
        try db.insertCells([NewCell(key: key, kind: .evaluate, spec: "{\"name\": \"\(name.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t"))\"}")], sweepID: s.id)
        try db.insertResults([Fixture.result(key, task: task, method: "nm'tune;")])
        #expect(try db.requireSweep(named: name).name == name)
        #expect(try db.result(cellKey: key)?.task == task)
        let report = try db.report(sweep: s)
        #expect(report.sweep.name == name)
        #expect(report.tasks.map(\.task) == [task])
        #expect(report.summary.map(\.method) == ["nm'tune;"])
        #expect(ReportRenderer.plainText(report).contains(name))
        #expect(ReportRenderer.plainText(report).contains(task))
        let csv = ViewRenderer.csv(try db.viewRows("task_results", sweepID: s.id))
        #expect(csv.contains("\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\""))
        let json = ViewRenderer.jsonArray(try db.viewRows("task_results", sweepID: s.id))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["sweep"] as? String == name)
        #expect(parsed?.first?["task"] as? String == task)
        #expect(SVGPlot.render(report).contains(SVGPlot.escape(name)))
    }

    @Test func artifactsAreContentAddressed() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("artifacts"))
        let bytes: [UInt8] = Array("abc".utf8)
        let hash = try db.putArtifact(kind: "model", bytes: bytes)
        #expect(hash == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")  // SHA-256("abc"), FIPS 180-2
        #expect(try db.putArtifact(kind: "model", bytes: bytes) == hash)
        #expect(try db.connection.query("SELECT count(*) FROM artifacts", [])[0].decode(0, as: Int.self) == 1)
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bigHash = try db.putArtifact(kind: "features", bytes: big)
        #expect(try db.artifact(hash: bigHash)?.bytes == big)
        #expect(try db.hasArtifact(hash: bigHash))
        #expect(throws: SweepStoreError.self) { try db.putArtifact(kind: "model", bytes: [1, 2], expectedHash: hash) }
        // The table itself refuses a wrong hash.
        let e = try #require(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO artifacts (hash, kind, bytes, size) VALUES ($1, 'x', $2, 1)",
                                      String(repeating: "0", count: 64), PostgresBytes([1]))
        }
        #expect(e.sqlState == "23514")
    }

    @Test func workersAndEvents() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("workers"))
        try db.upsertWorker(WorkerRecord(id: "w1", host: "node-1", slots: 4, version: "0.1"))
        try db.upsertWorker(WorkerRecord(id: "w1", host: "node-1", slots: 8, version: "0.2"))
        let workers = try db.workers()
        #expect(workers.count == 1 && workers[0].slots == 8 && workers[0].version == "0.2")
        #expect((workers[0].secondsSinceSeen ?? 99) < 5)
        let s = try Fixture.sweep(db)
        let first = try db.recordEvent(kind: "sweep.started", sweepID: s.id, message: "go")
        try db.recordEvent(kind: "worker.joined", workerID: "w1", detail: "{\"slots\": 8}")
        let events = try db.events()
        #expect(events.map(\.kind) == ["sweep.started", "worker.joined"])
        #expect(try db.events(sweepID: s.id).count == 1)
        let e = try #require(throws: PostgresError.self) { try db.connection.execute("UPDATE events SET message = 'x' WHERE id = $1", first) }
        #expect(e.message.contains("append-only"))
    }
}
