import Postgres
import SweepStore
import Testing

/// `SweepStoreError.isTransient`: what the coordinator's store thread retries with back-off.
@Suite struct StoreFailureTests {
    @Test func lostConnectionsAreTransientRefusalsAndOwnErrorsAreNot() {
        #expect(SweepStoreError.isTransient(PostgresError(.connectionLost, "server closed the connection")))
        #expect(SweepStoreError.isTransient(PostgresError(.query, "terminating connection", sqlState: "57P01")))
        #expect(SweepStoreError.isTransient(PostgresError(.query, "too many connections", sqlState: "53300")))
        #expect(!SweepStoreError.isTransient(PostgresError(.query, "duplicate key", sqlState: "23505")))
        #expect(!SweepStoreError.isTransient(SweepStoreError(.notFound, "no cell with key 00")))
        #expect(SweepStoreError.isTransient(SweepStoreError(.invalidArgument, "insert", underlying: PostgresError(.connection, "refused"))))
        #expect(!SweepStoreError.isTransient(SweepStoreError(.migration, "m", underlying: PostgresError(.query, "no table", sqlState: "42P01"))))
    }
}
