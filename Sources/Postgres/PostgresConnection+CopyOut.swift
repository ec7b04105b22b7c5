internal import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs `COPY (…) TO STDOUT …` (`sql`) and returns the bytes the server sent, in the format the
    /// statement asks for (e.g. `WITH (FORMAT csv, HEADER)`): the server formats every value, so
    /// text round-trips exactly (float8 in shortest exact form).
    public func copyOut(_ sql: String) throws -> [UInt8] {
        try lock.locked {
            try ensureConnected()
            _ = try check(PQexec(connection, sql), statement: sql, code: .copy, expect: [PGRES_COPY_OUT])
            var bytes: [UInt8] = []
            var failure: (any Error)?
            while true {
                var buffer: UnsafeMutablePointer<CChar>?
                let n = PQgetCopyData(connection, &buffer, 0)
                if n > 0, let buffer {
                    buffer.withMemoryRebound(to: UInt8.self, capacity: Int(n)) { bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(n))) }
                    PQfreemem(buffer)
                    continue
                }
                if n == -2 { failure = PostgresError(.copy, "receiving COPY data failed: \(Self.trimmed(PQerrorMessage(connection)))") }
                break
            }
            while let result = PQgetResult(connection) {
                do { _ = try check(result, statement: sql, code: .copy) } catch { if failure == nil { failure = error } }
            }
            if let failure { throw failure }
            return bytes
        }
    }

    /// Runs `COPY … FROM STDIN …` (`sql`) sending `bytes` as they are (already in the statement's
    /// format, e.g. CSV read from a file); returns the rows the server took.
    @discardableResult
    public func copyIn(_ sql: String, bytes: [UInt8]) throws -> Int {
        try copyIn(sql) { connection in
            var start = 0
            while start < bytes.count {
                var chunk = Array(bytes[start..<min(bytes.count, start + 1 << 20)])
                try sendCopyData(&chunk, on: connection)
                start += 1 << 20
            }
        }
    }
}
