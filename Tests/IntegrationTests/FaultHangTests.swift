import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Case 6: a worker that hangs (stops heartbeating without dying), and a cell that hangs in
    /// its slot while its worker goes on heartbeating.
    @Suite("Hanging workers and hanging cells")
    struct Hang {
        @Test("a worker stopped with SIGSTOP is declared lost, its cells finished by the other; after SIGCONT its late results count once")
        func stoppedWorker() throws {
            let url = try PostgresTestServer.freshDatabaseURL("sigstop")
            let port = try FaultHarness.freePort()
            let cells = 400
            let coordinator = try FaultHarness.coordinator(database: url, name: "sigstop", cells: cells, sleepMilliseconds: 60, port: port)
            let frozen = try FaultHarness.worker(port: port, slots: 4)
            let other = try FaultHarness.worker(port: port, slots: 4)
            let db = try PostgresConnection(url: url)

            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 60 }, "\(coordinator.standardError.suffix(2000))")
            let tag = "%-\(frozen.pid)-%"
            frozen.signal(SIGSTOP)
            let stoppedAt = Date()
            let detected = eventually(timeout: 10) {
                ((try? FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1", tag)) ?? 0) > 0
            }
            let detectedAfter = Date().timeIntervalSince(stoppedAt)
            #expect(detected, "\(coordinator.standardError.suffix(2000))")
            let requeued = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued' AND message LIKE $1", tag)
            #expect(requeued >= 1, "its running cells went back to the queue")
            // Let the other worker take them, then wake the frozen one while the sweep still runs:
            // its finished cells' results arrive late, under leases that are gone.
            usleep(700_000)
            let resultsAtWake = FaultHarness.resultRows(db)
            #expect(resultsAtWake < cells, "the sweep still runs when the frozen worker wakes")
            frozen.signal(SIGCONT)

            let outcome = coordinator.finish(timeout: 40)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("\(cells) results committed"), "late results are not committed twice: \(outcome.standardOutput)")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            let woke = frozen.finish(timeout: 15)
            #expect(woke.status == 0, "the woken worker registers again and leaves on SHUTDOWN: \(woke.standardError.suffix(2000))")
            #expect(other.finish(timeout: 15).status == 0)
            // Issue 14: the welcomes that queued up while it was stopped arrive together; it used
            // to log (and do) its resend 5 times in a second. Once now.
            let resends = woke.standardError.components(separatedBy: "resending ").count - 1
            #expect(resends == 1, "the woken worker logs its resend once: \(resends) times\n\(woke.standardError.suffix(2000))")

            reportFault("worker SIGSTOP (hung process)", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "cells requeued": requeued,
                "lost detected after s": String(format: "%.2f", detectedAfter),
                "woken worker re-sent": woke.standardError.contains("resending ") ? "yes" : "no", "resend lines": resends,
            ])
        }

        @Test("fault hang (the whole worker goes silent): detected by liveness, the cell fails after max_attempts, the others finish")
        func hangFault() throws {
            let url = try PostgresTestServer.freshDatabaseURL("hang")
            let port = try FaultHarness.freePort()
            let cells = 30, attempts = 2
            let start = Date()
            let coordinator = try FaultHarness.coordinator(database: url, name: "hang", cells: cells, sleepMilliseconds: 20, port: port,
                                                           extra: ["--noop-fault", "5:hang", "--max-attempts", String(attempts)])
            // A hung worker never comes back: one per attempt, plus one to finish the rest.
            let workers = try (0...attempts).map { _ in try FaultHarness.worker(port: port, slots: 1) }
            let outcome = coordinator.finish(timeout: 40)
            let seconds = Date().timeIntervalSince(start)
            for worker in workers { worker.killAndWait() }
            #expect(outcome.status == 1, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells - 1)/\(cells) done, 1 failed"), "\(outcome.standardOutput)")
            let db = try PostgresConnection(url: url)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells - 1 && counts.cells == cells - 1)
            let failed = try FaultHarness.failedCells(db)
            #expect(failed.count == 1)
            let error = failed.first?.error ?? ""
            #expect(error.contains("silent for"), "\(error)")
            let lost = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost'")
            #expect(lost == attempts)

            reportFault("fault hang (worker silent)", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "failed": failed.count,
                "workers lost": lost, "sweep s": String(format: "%.2f", seconds), "last_error": error,
            ])
        }

        @Test("fault stall (a slot hangs, heartbeats go on): --cell-timeout-ms ends each attempt; the cell fails after max_attempts; no worker is lost")
        func stallWithTimeLimit() throws {
            let url = try PostgresTestServer.freshDatabaseURL("stall")
            let port = try FaultHarness.freePort()
            let cells = 30, attempts = 2, limit = 1_000
            let start = Date()
            // Liveness 10: the workers are alive, and must not be declared lost on a busy machine.
            let coordinator = try FaultHarness.coordinator(
                database: url, name: "stall", cells: cells, sleepMilliseconds: 20, port: port, localWorkers: 2, liveness: 10,
                extra: ["--worker-slots", "2", "--noop-fault", "7:stall", "--max-attempts", String(attempts), "--cell-timeout-ms", String(limit)])
            let outcome = coordinator.finish(timeout: 40)
            let seconds = Date().timeIntervalSince(start)
            #expect(outcome.status == 1, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells - 1)/\(cells) done, 1 failed"), "\(outcome.standardOutput)")
            #expect(seconds >= Double(attempts * limit) / 1000, "each attempt ran to the limit")
            let db = try PostgresConnection(url: url)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells - 1 && counts.cells == cells - 1)
            let failed = try FaultHarness.failedCells(db)
            #expect(failed.count == 1)
            let error = failed.first?.error ?? ""
            #expect(failed.first?.attempts == attempts)
            #expect(error.contains("expired after \(limit) ms"), "\(error)")
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost'") == 0,
                    "a stalled slot is not a lost worker")

            reportFault("fault stall (slot hangs, worker heartbeats) with --cell-timeout-ms \(limit)", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "failed": failed.count,
                "sweep s": String(format: "%.2f", seconds), "last_error": error,
            ])
        }
    }
}
