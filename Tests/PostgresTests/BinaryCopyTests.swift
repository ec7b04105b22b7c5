import Postgres
import TestSupport
import Testing

/// `copyFromBinary`: every column type the writer encodes reads back exactly, and bad rows are refused.
@Suite struct BinaryCopyTests {
    @Test func everyColumnTypeRoundTrips() throws {
        let c = try PostgresTestServer.freshConnection("bincopy")
        try c.execute("CREATE TABLE t (n int, i int8, i4 int4, x float8, s text, b bool, j jsonb, by bytea)")
        let tricky = "tab\there \\ back\nnewline 'q' \"dq\" ünïcødé 日本 🧪"
        let doubles: [Double] = [0.1 + 0.2, -0.0, .pi, 1e-310, -.infinity, .infinity, .greatestFiniteMagnitude, 5e-324]
        let count = 3000
        let n = try c.copyFromBinary("COPY t (n, i, i4, x, s, b, j, by) FROM STDIN (FORMAT binary)", columnCount: 8) { w in
            for k in 0..<count {
                w.append(int32: Int32(k))
                w.append(k % 11 == 0 ? Int64.min + Int64(k) : Int64.max - Int64(k))
                w.append(int32: Int32(-k))
                if k % 13 == 0 { w.append(nil as Double?) } else { w.append(doubles[k % doubles.count]) }
                w.append(k % 7 == 0 ? nil : "\(tricky) \(k)")
                w.append(k % 2 == 0)
                w.appendJSONB(k % 5 == 0 ? nil : "{\"k\": \(k), \"s\": \"ü\\t\"}")
                w.append(bytes: [UInt8(k & 255), 0, 255, 92])
                try w.endRow()
            }
        }
        #expect(n == count)
        let rows = try c.query("SELECT i, i4, x, s, b, j::text, by FROM t ORDER BY n", [])
        #expect(rows.count == count)
        for (k, row) in rows.enumerated() {
            #expect(try row.decode(0, as: Int64.self) == (k % 11 == 0 ? Int64.min + Int64(k) : Int64.max - Int64(k)))
            #expect(try row.decode(1, as: Int32.self) == Int32(-k))
            let x = try row.decode(2, as: Double?.self)
            if k % 13 == 0 { #expect(x == nil) } else { #expect(x?.bitPattern == doubles[k % doubles.count].bitPattern) }
            #expect(try row.decode(3, as: String?.self) == (k % 7 == 0 ? nil : "\(tricky) \(k)"))
            #expect(try row.decode(4, as: Bool.self) == (k % 2 == 0))
            #expect(try row.decode(5, as: String?.self) == (k % 5 == 0 ? nil : "{\"k\": \(k), \"s\": \"ü\\t\"}"))
            #expect(try row.decode(6, as: PostgresBytes.self).bytes == [UInt8(k & 255), 0, 255, 92])
        }
        // NaN keeps being NaN (PostgreSQL canonicalises its payload; the value class is what matters).
        try c.execute("CREATE TABLE f (x float8)")
        try c.copyFromBinary("COPY f (x) FROM STDIN (FORMAT binary)", columnCount: 1) { w in w.append(Double.nan); try w.endRow() }
        #expect(try c.query("SELECT x FROM f", [])[0].decode(0, as: Double.self).isNaN)
    }

    @Test func wrongRowsAndTypesAreRefusedAndNothingIsInserted() throws {
        let c = try PostgresTestServer.freshConnection("bincopyfail")
        try c.execute("CREATE TABLE t (i int8 NOT NULL, s text)")
        // Too few fields in a row: refused by the writer, the COPY aborted.
        let short = try #require(throws: PostgresError.self) {
            try c.copyFromBinary("COPY t (i, s) FROM STDIN (FORMAT binary)", columnCount: 2) { w in
                w.append(Int64(1)); w.append("a"); try w.endRow()
                w.append(Int64(2)); try w.endRow()
            }
        }
        #expect(short.message.contains("row 2") && short.message.contains("1 field"))
        // A row left unfinished.
        #expect(throws: PostgresError.self) {
            try c.copyFromBinary("COPY t (i, s) FROM STDIN (FORMAT binary)", columnCount: 2) { w in
                w.append(Int64(1)); w.append("a"); try w.endRow()
                w.append(Int64(2))
            }
        }
        // A 4-byte integer into an int8 column: the server refuses it (binary COPY does not cast).
        let type = try #require(throws: PostgresError.self) {
            try c.copyFromBinary("COPY t (i, s) FROM STDIN (FORMAT binary)", columnCount: 2) { w in
                w.append(int32: 1); w.append("a"); try w.endRow()
            }
        }
        #expect(["08P01", "22P03"].contains(type.sqlState))  // "insufficient data left in message" for int8
        // NULL into NOT NULL.
        let null = try #require(throws: PostgresError.self) {
            try c.copyFromBinary("COPY t (i, s) FROM STDIN (FORMAT binary)", columnCount: 2) { w in
                w.appendNull(); w.append("a"); try w.endRow()
            }
        }
        #expect(null.sqlState == "23502")
        #expect(try c.query("SELECT count(*) FROM t", [])[0].decode(0, as: Int.self) == 0)
        // The connection is usable afterwards.
        #expect(try c.copyFromBinary("COPY t (i, s) FROM STDIN (FORMAT binary)", columnCount: 2) { w in
            w.append(Int64(7)); w.append(nil as String?); try w.endRow()
        } == 1)
    }
}
