import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// Issue 21, "results outlive the database": `exportSweep` / `importSweep` between two real databases.
@Suite struct BundleTests {
    static func bundleFolder(_ label: String) -> String {
        let folder = NSTemporaryDirectory() + "nmsweep-bundle-\(getpid())-\(label)"
        try? FileManager.default.removeItem(atPath: folder)
        return folder
    }

    /// The source: the partial study of `PartialReportTests` (failed and unrun cells, three
    /// methods, two noise ratios), a grid text with quotes, commas and newlines, and events.
    static func source() throws -> (SweepDatabase, SweepRecord) {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("bundle-src"))
        let sweep = try db.createSweep(name: "partial, \"quoted\"", grid: "name: x\nseeds: [0, 1, 2]\n# a \"comment\", with commas\n",
                                       canonicalGrid: "{\"cells\": 54}").sweep
        try PartialReportTests.study().insert(into: db, sweep: sweep, keyPrefix: 21)
        try db.recordEvent(kind: "sweep_finished", sweepID: sweep.id, message: "45 done, 6 failed", detail: "{\"assigned\": 51}")
        try db.recordEvent(kind: "cell_failed", sweepID: sweep.id, cellKey: Fixture.key(21, 3), workerID: "w-1", message: "NaN loss;\nline two")
        return (db, sweep)
    }

    @Test func anImportedSweepReportsExactlyAsTheOriginalAndImportingTwiceChangesNothing() throws {
        let (source, sweep) = try Self.source()
        let folder = Self.bundleFolder("ok")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let exported = try source.exportSweep(named: sweep.name, to: folder)
        let cells = try source.connection.query("SELECT count(*) FROM sweep_cells", [])[0].decode(0, as: Int.self)
        let results = try source.connection.query("SELECT count(*) FROM results", [])[0].decode(0, as: Int.self)
        #expect(exported.cells == cells && exported.results == results && exported.events == 2)

        let target = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("bundle-dst"))
        let first = try target.importSweep(from: folder)
        #expect(first.sweepCreated && first.newCells == cells && first.newResults == results && first.newEvents == 2)
        let imported = try target.requireSweep(named: sweep.name)
        #expect(imported.grid == sweep.grid && imported.state == sweep.state)
        // The reports, every number and note, are the same text.
        let before = ReportRenderer.plainText(try source.report(sweep: sweep))
        let after = ReportRenderer.plainText(try target.report(sweep: imported))
        #expect(before == after)
        #expect(before.contains("PARTIAL"), "the fixture is a partial sweep with failures")
        // The views' rows too, value for value (sweep ids differ between databases).
        for view in ["id_ood_summary", "group_summary", "task_results", "effects", "grid_cells"] {
            let query = "SELECT coalesce(json_agg(to_jsonb(v) - 'sweep_id' - 'updated_at' ORDER BY to_jsonb(v)::text), '[]')::text FROM \(view) v"
            let a = try source.connection.query(query, [])[0].decode(0, as: String.self)
            let b = try target.connection.query(query, [])[0].decode(0, as: String.self)
            #expect(a == b, "\(view) differs")
        }
        let timings = "SELECT string_agg(cell_key || timings::text || finished_at::text || coalesce(worker_id, ''), ',' ORDER BY cell_key) FROM results"
        #expect(try source.connection.query(timings, [])[0].decode(0, as: String?.self) == target.connection.query(timings, [])[0].decode(0, as: String?.self))

        let again = try target.importSweep(from: folder)
        #expect(!again.sweepCreated && again.newCells == 0 && again.newResults == 0 && again.newEvents == 0)
        #expect(try target.connection.query("SELECT count(*) FROM events", [])[0].decode(0, as: Int.self) == 2)
    }

    @Test func aChangedFileIsRefusedByItsHashAndNothingIsImported() throws {
        let (source, sweep) = try Self.source()
        let folder = Self.bundleFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try source.exportSweep(named: sweep.name, to: folder)
        // One digit of one accuracy changed: still valid CSV, so only the hash can tell.
        let path = folder + "/results.csv"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let digit = try #require(bytes.lastIndex { (UInt8(ascii: "1")...UInt8(ascii: "8")).contains($0) })
        bytes[digit] += 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let target = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("bundle-bad"))
        let error = try #require(throws: SweepStoreError.self) { try target.importSweep(from: folder) }
        #expect(error.message.contains("results.csv") && error.message.contains("SHA-256"), "\(error)")
        #expect(try target.sweeps().isEmpty, "nothing imported")
        // A missing manifest and a manifest of another format name the file.
        try FileManager.default.removeItem(atPath: folder + "/manifest.json")
        let missing = try #require(throws: SweepStoreError.self) { try target.importSweep(from: folder) }
        #expect(missing.message.contains("manifest.json"))
    }
}
