import Postgres
import TestSupport
import Testing

@Suite struct PostgresErrorTests {
    @Test func redactionHidesURLPasswordsAndKeyValues() {
        let text = "connect to postgresql://alice:s3cr%40t@db.example:5432/x?sslmode=require failed; password=hunter2 host=h; PASSWORD = 'a b'"
        let redacted = PostgresRedaction.redact(text)
        #expect(!redacted.contains("s3cr"))
        #expect(!redacted.contains("hunter2"))
        #expect(!redacted.contains("a b"))
        #expect(redacted.contains("postgresql://alice:****@db.example:5432/x?sslmode=require"))
        #expect(redacted.contains("host=h"))
    }

    @Test func malformedURLErrorNeverShowsThePassword() throws {
        // libpq echoes a malformed conninfo verbatim; the error must not.
        for malformed in ["postgresql://bob:Tr0ub4dor@localhost/db?nosuchoption=1",
                          "host=localhost password=Tr0ub4dor bogus",
                          "host=localhost password='Tr0ub4dor"] {
            let error = try #require(throws: PostgresError.self) { try PostgresConfiguration(malformed) }
            #expect(error.code == .invalidArgument)
            #expect(!error.description.contains("Tr0ub4dor"), "\(error)")
            #expect(!String(reflecting: error).contains("Tr0ub4dor"))
        }
    }

    @Test func failedConnectionErrorNeverShowsThePassword() throws {
        let (_, endpoint) = try PostgresTestServer.shared()
        let url = "postgresql://nmsweep:WrongPassw0rdXYZ@127.0.0.1:\(endpoint.port)/nmsweep"
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(url: url, reconnectPolicy: .none)
        }
        #expect(error.code == .connection)
        #expect(error.description.contains("password authentication failed"))
        #expect(!error.description.contains("WrongPassw0rdXYZ"))
        let keyValue = "host=127.0.0.1 port=\(endpoint.port) user=nmsweep password=WrongPassw0rdXYZ dbname=nmsweep"
        let error2 = try #require(throws: PostgresError.self) { try PostgresConnection(url: keyValue, reconnectPolicy: .none) }
        #expect(!error2.description.contains("WrongPassw0rdXYZ"))
    }

    @Test func queryErrorKeepsSQLStateDetailAndHint() throws {
        let c = try PostgresTestServer.freshConnection("errors")
        try c.execute("CREATE TABLE t (k int PRIMARY KEY)")
        try c.execute("INSERT INTO t VALUES (1)")
        let error = try #require(throws: PostgresError.self) { try c.execute("INSERT INTO t VALUES ($1)", 1) }
        #expect(error.code == .query)
        #expect(error.sqlState == "23505")
        #expect(error.isConstraintViolation)
        #expect(!error.isTransient, "a refusal meets the same refusal on retry")
        #expect(error.detail?.contains("(k)=(1)") == true)
        let hinted = try #require(throws: PostgresError.self) { try c.query("SELECT nosuchfunction(1)", []) }
        #expect(hinted.sqlState == "42883")
        #expect(hinted.hint != nil)
        // The connection is usable after an error.
        #expect(try c.query("SELECT 2", [])[0].decode(0, as: Int.self) == 2)
    }
}
