import NoisyCore
import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// Test fixtures: keys and results made deterministically from small integers.
enum Fixture {
    /// A 32-digit lower-case hex key for (a, b, c, d).
    static func key(_ parts: Int...) -> String {
        parts.map { String(format: "%08x", UInt32(truncatingIfNeeded: $0)) }.joined().padding(toLength: 32, withPad: "0", startingAt: 0)
    }

    static func sweep(_ db: SweepDatabase, _ name: String = "s") throws -> SweepRecord {
        try db.createSweep(name: name, grid: "grid", canonicalGrid: "{}").sweep
    }

    static func result(_ key: String, noise: Double = 0, task: String = "t", kind: TaskKind = .id, method: String = "lp",
                       seed: Int64 = 1, accuracy: Double = 0.5) -> ResultRecord {
        ResultRecord(cellKey: key, noiseRatio: noise, task: task, taskKind: kind, method: method, seed: seed,
                     accuracy: accuracy, sve: 4, lsvr: 0.2, timings: "{\"tune_s\": 0.5}")
    }
}

@Suite struct MigrationTests {
    @Test func applyOnEmptyDatabaseThenNoOp() throws {
        let connection = try PostgresTestServer.freshConnection("migrate")
        let first = try Migrator().migrate(connection)
        #expect(first.applied == Migration.all.map(\.version))
        #expect(first.version == Migration.all.map(\.version).max())
        let tables = try connection.query(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", [])[0]
            .decode(0, as: Int.self)
        #expect(tables == 13)  // sweeps, cells, sweep_cells, results, artifacts, workers, events, schema_migrations, sweep_live, sweep_owners, sweep_leases, artifact_chunks, cell_logs
        let second = try Migrator().migrate(connection)
        #expect(second.applied.isEmpty)
        #expect(second.version == first.version)
        #expect(try connection.query("SELECT count(*) FROM schema_migrations", [])[0].decode(0, as: Int.self) == Migration.all.count)
    }

    @Test func twoSessionsMigratingAtOnceBothSucceed() throws {
        let url = try PostgresTestServer.freshDatabaseURL("concurrent")
        let outcomes = OutcomeBox()
        let threads = (0..<2).map { _ in
            Thread {
                do {
                    let c = try PostgresConnection(url: url)
                    outcomes.add(.success(try Migrator().migrate(c).applied))
                } catch {
                    outcomes.add(.failure(error))
                }
            }
        }
        threads.forEach { $0.start() }
        let results = outcomes.wait(for: 2)
        let applied = try results.map { try $0.get() }
        // One applied everything, the other found nothing left.
        #expect(applied.map(\.count).sorted() == [0, Migration.all.count])
    }

    @Test func editedMigrationIsRefused() throws {
        let connection = try PostgresTestServer.freshConnection("edited")
        try Migrator().migrate(connection)
        var changed = Migration.all
        changed[0] = Migration(version: 1, name: changed[0].name, sql: changed[0].sql + "\n-- edited\n")
        let error = try #require(throws: SweepStoreError.self) { try Migrator(migrations: changed).migrate(connection) }
        #expect(error.code == .migration)
        #expect(error.message.contains("001_core.sql"))
    }

    @Test func embeddedSQLEqualsTheFilesByteForByte() throws {
        let sqlDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: sqlDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == Migration.all.map(\.fileName))
        for migration in Migration.all {
            let text = try Data(contentsOf: sqlDirectory.appendingPathComponent(migration.fileName))
            #expect(Data(migration.sql.utf8) == text, "\(migration.fileName) differs from its embedded copy: run sql/embed-into-swift.sh")
        }
    }
}

/// Results collected from threads.
final class OutcomeBox: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched under `condition`'s lock.
    private let condition = NSCondition()
    private var items = [Result<[Int], any Error>]()
    func add(_ item: Result<[Int], any Error>) {
        condition.lock(); items.append(item); condition.broadcast(); condition.unlock()
    }
    func wait(for count: Int) -> [Result<[Int], any Error>] {
        condition.lock(); defer { condition.unlock() }
        while items.count < count { condition.wait() }
        return items
    }
}
