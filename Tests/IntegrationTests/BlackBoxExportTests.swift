import Foundation
import NoisyCore
import SweepStore
import Testing
import TestSupport
import StudyData

/// Black-box mode reproduces the integrated study: `nmsweep features export` writes the features
/// of a finished grid's models to NPY files and a `features:` grid; running that grid gives the
/// same accuracy, SVE and LSVR, bit for bit, as the integrated run (docs/science.md's black-box setting).
@Suite("Black-box export and rerun")
struct BlackBoxExportTests {
    /// (noise, task, method, seed) → every measured column but realised noise (unknown to a
    /// black-box run), as float8 text.
    static func outcomes(_ db: SweepDatabase, sweep: String) throws -> [String: String] {
        let rows = try db.connection.query("""
            SELECT r.noise_ratio::text || ' ' || r.task || ' ' || r.method || ' ' || r.seed::text,
                   r.task_kind || ' ' || r.accuracy::text || ' ' || r.sve::text || ' ' || r.lsvr::text || ' '
                   || coalesce(r.tuned_sve::text, '-') || ' ' || coalesce(r.tuned_lsvr::text, '-') || ' '
                   || coalesce(r.train_loss::text, '-')
            FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
            WHERE s.name = $1
            """, sweep)
        var table: [String: String] = [:]
        for row in rows { table[try row.decode(0, as: String.self)] = try row.decode(1, as: String.self) }
        return table
    }

    @Test("test-tiny exported to NPY and rerun as a black-box grid gives identical results")
    func exportAndRerun() throws {
        try DataStore.verify(DataCatalog.defaultDirectory())
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-blackbox-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let url = try PostgresTestServer.freshDatabaseURL("blackbox")
        let integrated = try GridDeterminismTests.run(workers: 1, url: url, cache: scratch + "/cache")
        #expect(integrated.status == 0, "\(integrated.standardError.suffix(2000))")

        let export = try ProcessRunner.run("nmsweep", [
            "features", "export", "--grid", GridDeterminismTests.repositoryRoot + "/grids/test-tiny.yaml",
            "--out", scratch + "/features", "--database", url,
        ], timeout: 120)
        try #require(export.status == 0, "\(export.standardError)")
        let gridPath = export.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(gridPath == scratch + "/features/grid.yaml")
        // 2 tasks × 2 noise ratios × 1 seed × 2 splits × (features + labels).
        let files = FileManager.default.enumerator(atPath: scratch + "/features")?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".npy") } ?? []
        #expect(files.count == 16)
        let features = try NPYArray.read(scratch + "/features/digits/noise-0.2/seed-0/test-x.npy").matrix()
        #expect(features.cols == 16, "test-tiny's feature dimension")

        let blackBox = try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", gridPath, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "1",
            "--worker-slots", "2", "--progress", "quiet",
        ], timeout: 240)
        #expect(blackBox.status == 0, "\(blackBox.standardError.suffix(2000))")

        let db = try SweepDatabase(url: url)
        let a = try Self.outcomes(db, sweep: "test-tiny"), b = try Self.outcomes(db, sweep: "test-tiny-blackbox")
        #expect(a.count == 8)
        #expect(a == b)
        // The black-box cells are new cells (their specs name files), not the integrated ones again.
        let distinct: Int = try db.connection.query("SELECT count(DISTINCT cell_key) FROM results", [])[0].decode(0)
        #expect(distinct == 16)
    }
}
