internal import CLibPQ

extension PostgresConnection {
    /// Runs `body` inside a transaction: COMMIT when it returns, ROLLBACK when it throws (then rethrows).
    ///
    /// Nested calls use a SAVEPOINT, so an inner failure undoes only the inner part. If the connection
    /// is lost, the error says so (`.connectionLost`); a lost COMMIT may or may not have been applied.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try lock.locked {
            let depth = transactionDepth
            let savepoint = "nmsweep_sp_\(depth)"
            try execute(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
            transactionDepth = depth + 1
            let value: T
            do {
                value = try body(self)
            } catch {
                transactionDepth = depth
                if let connection, PQstatus(connection) == CONNECTION_OK {
                    // A failed rollback must not hide the error that caused it.
                    _ = try? execute(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)")
                }
                throw error
            }
            transactionDepth = depth
            do {
                try execute(depth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
            } catch {
                if depth == 0, let connection, PQstatus(connection) == CONNECTION_OK,
                   PQtransactionStatus(connection) != PQTRANS_IDLE {
                    _ = try? execute("ROLLBACK")
                }
                throw error
            }
            return value
        }
    }

    /// Whether a transaction is open on this session.
    public var isInTransaction: Bool {
        lock.locked { connection.map { PQtransactionStatus($0) != PQTRANS_IDLE } ?? false }
    }
}
