import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Protocol version 2: a worker answers instant no-op cells many per RESULT message, so when it
    /// is killed some of its results are in flight: sent in a batch and not yet acknowledged, or
    /// finished and not yet sent.
    @Suite("Worker killed with batches of results in flight")
    struct BatchKill {
        @Test("nothing is lost and nothing is stored twice: its unacknowledged cells run again elsewhere")
        func killWorkerWithBatchesInFlight() throws {
            let url = try PostgresTestServer.freshDatabaseURL("bkill")
            let port = try FaultHarness.freePort()
            let cells = 40_000
            let coordinator = try FaultHarness.coordinator(database: url, name: "bkill", cells: cells, sleepMilliseconds: 0, port: port)
            let victim = try FaultHarness.worker(port: port, slots: 64)
            let survivor = try FaultHarness.worker(port: port, slots: 64)
            let db = try PostgresConnection(url: url)

            // Both workers streaming batches: kill one in the middle.
            #expect(eventually(timeout: 60) { FaultHarness.resultRows(db) >= cells / 5 }, "\(coordinator.standardError.suffix(2000))")
            let victimTag = "%-\(victim.pid)-%"
            victim.signal(SIGKILL)
            #expect(victim.wait(timeout: 10) == -9)
            let resultsAtKill = FaultHarness.resultRows(db)
            #expect(resultsAtKill < cells, "killed while cells were left")

            let outcome = coordinator.finish(timeout: 120)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("\(cells) results committed"), "each result committed once: \(outcome.standardOutput)")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells, "one row per cell")
            let withoutResult = try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells c WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.cell_key = c.key)")
            #expect(withoutResult == 0, "every cell has its result")
            // The victim's committed results stay (it did real work), and what it held ran again elsewhere.
            let byVictim = try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE worker_id LIKE $1", victimTag)
            #expect(byVictim > 0 && byVictim < cells)
            let requeued = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued' AND message LIKE $1", victimTag)
            #expect(survivor.finish(timeout: 15).status == 0, "the surviving worker leaves on SHUTDOWN")

            reportFault("worker SIGKILL with batches in flight", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "results at kill": resultsAtKill,
                "results by the killed worker": byVictim, "cells requeued": requeued,
            ])
        }
    }
}
