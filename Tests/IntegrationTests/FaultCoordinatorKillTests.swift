import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Case 2: the coordinator killed with SIGKILL mid-sweep, results in flight, then started again.
    @Suite("Coordinator killed with SIGKILL mid-sweep and restarted")
    struct CoordinatorKill {
        @Test("the restart completes the sweep: acknowledged cells not rerun, nothing lost or duplicated, the same workers re-send")
        func killCoordinator() throws {
            let url = try PostgresTestServer.freshDatabaseURL("ckill")
            let port = try FaultHarness.freePort()
            let cells = 400
            let first = try FaultHarness.coordinator(database: url, name: "ckill", cells: cells, sleepMilliseconds: 50, port: port)
            let workers = [try FaultHarness.worker(port: port, slots: 4), try FaultHarness.worker(port: port, slots: 4)]
            let db = try PostgresConnection(url: url)

            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 100 }, "\(first.standardError.suffix(2000))")
            first.signal(SIGKILL)
            #expect(first.wait(timeout: 10) == -9)
            let killedAt = Date()
            // What was committed when it died (a COMMIT already on the wire may land just after).
            usleep(300_000)
            var before: [String: String] = [:]
            for row in try db.query("SELECT cell_key, finished_at::text FROM results", []) {
                before[try row.decode(0, as: String.self)] = try row.decode(1, as: String.self)
            }
            #expect(before.count < cells, "the sweep was still running")

            // The workers finish their running cells meanwhile; their results wait unacknowledged.
            usleep(1_000_000)
            let alive = workers.allSatisfy { $0.isRunning }
            #expect(alive, "workers survive their coordinator")

            let restartedAt = Date()
            let second = try FaultHarness.coordinator(database: url, name: "ckill", cells: cells, sleepMilliseconds: 50, port: port)
            let firstNew = eventually(timeout: 20) { FaultHarness.resultRows(db) > before.count }
            let recoveredAfter = Date().timeIntervalSince(restartedAt)
            #expect(firstNew)
            let outcome = second.finish(timeout: 40)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            let assigned = FaultHarness.number(before: " assigned", in: outcome.standardOutput) ?? -1
            let committed = FaultHarness.number(before: " results committed", in: outcome.standardOutput) ?? -1
            #expect(assigned >= 0 && assigned <= cells - before.count, "no cell with a result at the kill is assigned again")
            #expect(committed == cells - before.count, "the second run commits exactly the missing cells")

            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            var changed = 0
            for row in try db.query("SELECT cell_key, finished_at::text FROM results", []) {
                let key: String = try row.decode(0)
                if let old = before[key], old != (try row.decode(1, as: String.self)) { changed += 1 }
            }
            #expect(changed == 0, "results committed before the kill are untouched")

            // The same worker processes reconnected by themselves and re-sent what was not acknowledged.
            var resent = 0
            for worker in workers {
                let status = worker.finish(timeout: 15)
                #expect(status.status == 0, "\(status.standardError.suffix(1500))")
                for line in status.standardError.split(separator: "\n") where line.contains("resending ") {
                    resent += FaultHarness.number(before: " unacknowledged results", in: String(line)) ?? 0
                }
            }
            #expect(resent > 0, "the workers re-sent their unacknowledged results to the new coordinator")
            #expect(outcome.standardError.components(separatedBy: " joined: ").count - 1 >= 2, "both workers joined the new coordinator")

            reportFault("coordinator SIGKILL", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells,
                "results at kill": before.count, "second run assigned": assigned, "second run committed": committed,
                "results re-sent by workers": resent, "first new result after restart s": String(format: "%.2f", recoveredAfter),
                "kill to sweep done s": String(format: "%.2f", Date().timeIntervalSince(killedAt)),
            ])
        }
    }
}
