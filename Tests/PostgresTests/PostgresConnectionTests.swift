import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresConnectionTests {
    @Test func parametersRoundTripVerbatim() throws {
        let c = try PostgresTestServer.freshConnection("params")
        let tricky = "Robert'); DROP TABLE students;-- \"quoted\" \\back\\slash\ttab\nnewline ünïcødé 日本語 🧪"
        let row = try c.query("SELECT $1::text, $2::int8, $3::float8, $4::bool, $5::text, $6::bytea, $7::float8, $8::jsonb::text",
                              tricky, Int64.max, 0.1 + 0.2, true, nil as String?, PostgresBytes([0, 1, 255, 92, 39]),
                              -Double.infinity, "{\"a\": [1, 2]}")[0]
        #expect(try row.decode(0, as: String.self) == tricky)
        #expect(try row.decode(1, as: Int64.self) == Int64.max)
        #expect(try row.decode(2, as: Double.self) == 0.1 + 0.2)  // bit-exact round trip
        #expect(try row.decode(3, as: Bool.self) == true)
        #expect(try row.decode(4, as: String?.self) == nil)
        #expect(try row.decode(5, as: PostgresBytes.self).bytes == [0, 1, 255, 92, 39])
        #expect(try row.decode(6, as: Double.self) == -.infinity)
        #expect(try row.decode(7, as: String.self) == "{\"a\": [1, 2]}")
        let data = try c.query("SELECT $1::bytea", Data([7, 8, 9]))[0].decode(0, as: Data.self)
        #expect(data == Data([7, 8, 9]))
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let c = try PostgresTestServer.freshConnection("decode")
        let rows = try c.query("SELECT 'abc'::text AS word, NULL::int AS nothing", [])
        let e1 = try #require(throws: PostgresError.self) { try rows[0].decode("word", as: Int.self) }
        #expect(e1.code == .decode && e1.message.contains("word"))
        let e2 = try #require(throws: PostgresError.self) { try rows[0].decode("nothing", as: Int.self) }
        #expect(e2.message.contains("NULL"))
        #expect(try rows[0].decode("nothing", as: Int?.self) == nil)
        let e3 = try #require(throws: PostgresError.self) { try rows[0].decode("missing", as: Int.self) }
        #expect(e3.message.contains("missing"))
    }

    @Test func transactionCommitsOrRollsBack() throws {
        let c = try PostgresTestServer.freshConnection("tx")
        try c.execute("CREATE TABLE t (v int)")
        try c.transaction { try $0.execute("INSERT INTO t VALUES (1)") }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try c.transaction { tx in
                try tx.execute("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        // A nested failure undoes only the inner part.
        try c.transaction { tx in
            try tx.execute("INSERT INTO t VALUES (3)")
            _ = try? tx.transaction { inner in
                try inner.execute("INSERT INTO t VALUES (4)")
                throw Boom()
            }
        }
        let values = try c.query("SELECT v FROM t ORDER BY v", []).map { try $0.decode(0, as: Int.self) }
        #expect(values == [1, 3])
        #expect(!c.isInTransaction)
    }

    @Test func copyStreamsRowsWithEscapes() throws {
        let c = try PostgresTestServer.freshConnection("copy")
        try c.execute("CREATE TABLE t (i int8, x float8, s text, b bool)")
        let strings = (0..<5000).map { "row \($0)\t\\ \n'\";ü" }
        let n = try c.copyFrom("COPY t (i, x, s, b) FROM STDIN") { w in
            for (i, s) in strings.enumerated() {
                w.append(i - 2500)
                w.append(Double(i) / 3)
                w.append(i % 7 == 0 ? nil : s)
                w.append(i % 2 == 0)
                try w.endRow()
            }
        }
        #expect(n == 5000)
        let rows = try c.query("SELECT i, x, s, b FROM t ORDER BY i", [])
        #expect(rows.count == 5000)
        for (k, row) in rows.enumerated() {
            #expect(try row.decode(0, as: Int.self) == k - 2500)
            #expect(try row.decode(1, as: Double.self) == Double(k) / 3)
            #expect(try row.decode(2, as: String?.self) == (k % 7 == 0 ? nil : strings[k]))
        }
    }

    @Test func failedCopyInsertsNothingAndLeavesConnectionUsable() throws {
        let c = try PostgresTestServer.freshConnection("copyfail")
        try c.execute("CREATE TABLE t (i int NOT NULL)")
        #expect(throws: PostgresError.self) {
            try c.copyFrom("COPY t (i) FROM STDIN") { w in
                w.append(1); try w.endRow()
                w.append(nil as String?); try w.endRow()  // violates NOT NULL
            }
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try c.copyFrom("COPY t (i) FROM STDIN") { w in
                w.append(1); try w.endRow()
                throw Stop()
            }
        }
        #expect(try c.query("SELECT count(*) FROM t", [])[0].decode(0, as: Int.self) == 0)
    }

    @Test func lostConnectionIsReportedThenReconnected() throws {
        let url = try PostgresTestServer.freshDatabaseURL("lost")
        let c = try PostgresConnection(url: url)
        let admin = try PostgresConnection(url: url)
        let pid = c.backendPID
        try c.execute("CREATE TABLE t (v int)")
        #expect(try admin.query("SELECT pg_terminate_backend($1)", Int(pid))[0].decode(0, as: Bool.self))
        // The statement in flight when the connection is gone is an error, not silently dropped or retried.
        let error = try #require(throws: PostgresError.self) { try c.execute("INSERT INTO t VALUES (1)") }
        #expect(error.code == .connectionLost)
        // The next call reconnects.
        try c.execute("INSERT INTO t VALUES (2)")
        #expect(c.backendPID != pid)
        #expect(try c.query("SELECT array_agg(v)::text FROM t", [])[0].decode(0, as: String.self) == "{2}")
    }

    @Test func environmentConfigurationUsesDatabaseURL() throws {
        // libpq reads PG* itself; DATABASE_URL is ours. An empty conninfo is valid.
        #expect(try PostgresConfiguration("").description == "(PG* environment)")
        let config = try PostgresConfiguration("postgresql://u:pw123@h/db?sslmode=disable")
        #expect(!config.description.contains("pw123"))
        #expect(config.description.contains("sslmode=disable"))
    }
}
