import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Case 7: graceful shutdown (SIGTERM) of the coordinator and of a worker under load.
    @Suite("Graceful shutdown under load")
    struct Shutdown {
        @Test("SIGTERM to the coordinator: dispatch stops, running cells finish and commit, exit 3; a restart completes the sweep")
        func stopCoordinator() throws {
            let url = try PostgresTestServer.freshDatabaseURL("termcoord")
            let port = try FaultHarness.freePort()
            let cells = 400
            func start() throws -> RunningProcess {
                try FaultHarness.coordinator(database: url, name: "termcoord", cells: cells, sleepMilliseconds: 100, port: port,
                                             localWorkers: 2, extra: ["--worker-slots", "4", "--shutdown-grace-ms", "5000"])
            }
            let first = try start()
            let db = try PostgresConnection(url: url)
            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 80 }, "\(first.standardError.suffix(2000))")
            let signalledAt = Date()
            first.signal(SIGTERM)
            let stopped = first.finish(timeout: 30)
            let stopSeconds = Date().timeIntervalSince(signalledAt)
            #expect(stopped.status == 3, "\(stopped.standardError.suffix(3000))")
            #expect(stopped.standardError.contains("no more dispatch"))
            let stored = FaultHarness.resultRows(db)
            let done = FaultHarness.number(before: "/\(cells) done", in: stopped.standardOutput) ?? -1
            let committed = FaultHarness.number(before: " results committed", in: stopped.standardOutput) ?? -1
            #expect(done == stored && committed == stored, "every running cell finished and was committed before the exit: \(stopped.standardOutput)")
            #expect(stored < cells, "the sweep was stopped before its end")
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'sweep_interrupted'") == 1)

            let second = try start()
            let outcome = second.finish(timeout: 40)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            let assigned = FaultHarness.number(before: " assigned", in: outcome.standardOutput) ?? -1
            #expect(assigned == cells - stored, "the restart runs exactly the cells without a result")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)

            reportFault("coordinator SIGTERM", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells, "results at exit": stored,
                "SIGTERM to exit s": String(format: "%.2f", stopSeconds), "restart assigned": assigned,
            ])
        }

        @Test("SIGTERM to a worker: it finishes its running cells, hands back the rest, exits 0; the sweep completes without loss or duplicate")
        func stopWorker() throws {
            let url = try PostgresTestServer.freshDatabaseURL("termworker")
            let port = try FaultHarness.freePort()
            let cells = 300
            let coordinator = try FaultHarness.coordinator(database: url, name: "termworker", cells: cells, sleepMilliseconds: 100, port: port)
            let leaving = try FaultHarness.worker(port: port, slots: 4)
            let staying = try FaultHarness.worker(port: port, slots: 4)
            let db = try PostgresConnection(url: url)
            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 60 }, "\(coordinator.standardError.suffix(2000))")
            let signalledAt = Date()
            leaving.signal(SIGTERM)
            let left = leaving.finish(timeout: 20)
            let leaveSeconds = Date().timeIntervalSince(signalledAt)
            #expect(left.status == 0, "\(left.standardError.suffix(2000))")
            #expect(left.standardError.contains("draining"))

            let outcome = coordinator.finish(timeout: 40)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("\(cells) results committed"), "\(outcome.standardOutput)")
            #expect(outcome.standardError.contains("left: worker stopping"))
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost'") == 0,
                    "a worker that leaves is not a lost one")
            #expect(staying.finish(timeout: 15).status == 0)

            reportFault("worker SIGTERM", [
                "cells": cells, "results": counts.rows, "duplicates": counts.rows - counts.cells,
                "SIGTERM to worker exit s": String(format: "%.2f", leaveSeconds),
            ])
        }
    }
}
