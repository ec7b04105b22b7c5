import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Case 1: a worker killed with SIGKILL in the middle of its cells.
    @Suite("Worker killed with SIGKILL mid-cell")
    struct WorkerKill {
        @Test("its cells are queued again once it is declared lost; the other worker finishes; one result per cell")
        func killWorker() throws {
            let url = try PostgresTestServer.freshDatabaseURL("wkill")
            let port = try FaultHarness.freePort()
            let cells = 300
            let coordinator = try FaultHarness.coordinator(database: url, name: "wkill", cells: cells, sleepMilliseconds: 40, port: port)
            let victim = try FaultHarness.worker(port: port, slots: 4)
            let survivor = try FaultHarness.worker(port: port, slots: 4)
            let db = try PostgresConnection(url: url)

            // Both workers busy: kill one in the middle of its cells.
            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 60 }, "\(coordinator.standardError.suffix(2000))")
            let victimTag = "%-\(victim.pid)-%"
            let killedAt = Date()
            victim.signal(SIGKILL)
            #expect(victim.wait(timeout: 10) == -9)
            let resultsAtKill = FaultHarness.resultRows(db)

            let detected = eventually(timeout: 10) {
                ((try? FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1",
                                           victimTag)) ?? 0) > 0
            }
            let detectedAfter = Date().timeIntervalSince(killedAt)
            #expect(detected, "the killed worker is declared lost: \(coordinator.standardError.suffix(2000))")

            let outcome = coordinator.finish(timeout: 40)
            let finishedAfter = Date().timeIntervalSince(killedAt)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("\(cells) results committed"), "\(outcome.standardOutput)")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            // The cells it held were queued again, with the attempt counted (a crash until shown otherwise).
            let requeued = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued' AND message LIKE $1", victimTag)
            #expect(requeued >= 1, "the killed worker held cells")
            #expect(survivor.finish(timeout: 15).status == 0, "the surviving worker leaves on SHUTDOWN")

            reportFault("worker SIGKILL", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "results at kill": resultsAtKill,
                "cells requeued": requeued, "lost detected after s": String(format: "%.2f", detectedAfter),
                "sweep done after kill s": String(format: "%.2f", finishedAfter),
            ])
        }
    }
}
