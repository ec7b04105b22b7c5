import Postgres
import SweepStore
import TestSupport
import Testing

@Suite struct MigrationTests {
    @Test func applyOnEmptyDatabaseThenNoOp() throws {
        let connection = try PostgresTestServer.freshConnection("migrate")
        let first = try Migrator().migrate(connection)
        #expect(first.applied == Migration.all.map(\.version))
        #expect(first.version == Migration.all.map(\.version).max())
        let tables = try connection.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", [])[0].decode(0, as: Int.self)
        #expect(tables == 8)  // 7 tables + schema_migrations
        let second = try Migrator().migrate(connection)
        #expect(second.applied.isEmpty)
        #expect(second.version == first.version)
        let recorded = try connection.query("SELECT count(*) FROM schema_migrations", [])[0].decode(0, as: Int.self)
        #expect(recorded == Migration.all.count)
    }
}
