import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Case 5: a cell that crashes its worker process every time (NoopSweepTests.crashingWorker
    /// covers max_attempts 1; here every attempt crashes a worker the coordinator must restart).
    @Suite("A cell that crashes its worker every time")
    struct CrashingCell {
        @Test("local workers are restarted; after max_attempts the cell fails with the crash; the others finish; exit 1")
        func crashEveryTime() throws {
            let url = try PostgresTestServer.freshDatabaseURL("crashloop")
            let port = try FaultHarness.freePort()
            let cells = 40, attempts = 3
            let start = Date()
            let coordinator = try FaultHarness.coordinator(
                database: url, name: "crashloop", cells: cells, sleepMilliseconds: 20, port: port, localWorkers: 2,
                extra: ["--worker-slots", "1", "--noop-fault", "5:crash", "--max-attempts", String(attempts)])
            let outcome = coordinator.finish(timeout: 60)
            let seconds = Date().timeIntervalSince(start)
            #expect(outcome.status == 1, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells - 1)/\(cells) done, 1 failed"), "\(outcome.standardOutput)")
            let restarts = outcome.standardError.components(separatedBy: "died (killed by signal").count - 1
            #expect(restarts >= attempts - 1, "every crash but maybe the last is followed by a new local worker: \(outcome.standardError.suffix(3000))")

            let db = try PostgresConnection(url: url)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells - 1 && counts.cells == cells - 1)
            let failed = try FaultHarness.failedCells(db)
            #expect(failed.count == 1)
            let error = failed.first?.error ?? ""
            #expect(failed.first?.attempts == attempts)
            #expect(error.contains("lost"), "the error says the worker was lost: \(error)")
            #expect(outcome.standardOutput.contains("failed "), "the failed cell is listed with its error")
            let lostWorkers = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost'")
            #expect(lostWorkers >= attempts)

            reportFault("cell crashes its worker every time", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "failed": failed.count,
                "attempts": attempts, "workers lost": lostWorkers, "local workers restarted": restarts,
                "sweep s": String(format: "%.2f", seconds), "last_error": error,
            ])
        }
    }
}
