import Foundation
import NoisyCore
import SweepStore
import Testing
import TestSupport
import StudyData

/// docs/architecture.md's promise: a sweep's results are bitwise identical however many workers run it and in
/// whatever order cells finish. Real cells (pre-training, LP, NMTune) of `grids/test-tiny.yaml`,
/// run once by 1 worker and once by 3, each into its own database and with its own worker cache.
@Suite("Determinism of a real grid across worker counts")
struct GridDeterminismTests {
    /// Every measured column of every result row, as PostgreSQL prints float8 (shortest text that
    /// round-trips, so equal text means equal bits).
    static func resultTable(_ url: String) throws -> [String] {
        let db = try SweepDatabase(url: url)
        let rows = try db.connection.query("""
            SELECT cell_key || ' ' || task || ' ' || method || ' ' || accuracy::text || ' ' || sve::text || ' '
                   || lsvr::text || ' ' || coalesce(tuned_sve::text, '-') || ' ' || coalesce(tuned_lsvr::text, '-')
                   || ' ' || coalesce(train_loss::text, '-') || ' ' || coalesce(realized_noise::text, '-')
            FROM results ORDER BY cell_key
            """, [])
        return try rows.map { try $0.decode(0, as: String.self) }
    }

    /// The repository's root, from this file's path (Tests/IntegrationTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func run(workers: Int, url: String, cache: String) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", repositoryRoot + "/grids/test-tiny.yaml", "--database", url,
            "--bind", "tcp://127.0.0.1:*", "--local-workers", String(workers), "--worker-slots", "1",
            "--progress", "quiet", "--worker-argument=--cache-dir=\(cache)",
        ], timeout: 240)
    }

    @Test("test-tiny: 1 worker and 3 workers give identical result tables")
    func oneAndThreeWorkersAgree() throws {
        // The real data sets are needed (`make test` fetches them first); a missing one fails here by name.
        try DataStore.verify(DataCatalog.defaultDirectory())
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-determinism-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let one = try PostgresTestServer.freshDatabaseURL("det1"), three = try PostgresTestServer.freshDatabaseURL("det3")
        let first = try Self.run(workers: 1, url: one, cache: scratch + "/cache1")
        #expect(first.status == 0, "\(first.standardError.suffix(2000))")
        let second = try Self.run(workers: 3, url: three, cache: scratch + "/cache3")
        #expect(second.status == 0, "\(second.standardError.suffix(2000))")
        let a = try Self.resultTable(one), b = try Self.resultTable(three)
        #expect(a.count == 8, "test-tiny has 8 evaluate cells")
        #expect(a == b)
    }
}
