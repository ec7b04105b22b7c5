import Foundation
import Postgres
import Testing
import TestSupport

extension FaultTests {
    /// Issue 21: the embedded PostgreSQL a coordinator uses is supervised.
    @Suite("Supervised embedded PostgreSQL")
    struct Supervision {
        /// The scenario: SIGKILL of the postmaster left the sweep stalled until someone
        /// ran `nmsweep db start`.
        @Test("SIGKILL of the embedded postmaster mid-sweep: restarted by the coordinator, the sweep finishes with every result")
        func postmasterKilled() throws {
            // Durable, as the embedded default is: a test server without synchronous commit loses
            // acknowledged commits when its postmaster is killed (measured: 12 of 800).
            let server = try PrivatePostgres(label: "supervised", durable: true)
            defer { server.remove() }
            let port = try FaultHarness.freePort()
            let cells = 800
            let coordinator = try RunningProcess("nmsweep-coordinator", [
                "--noop-cells", String(cells), "--noop-sleep-ms", "5", "--name", "supervised", "--state-dir", server.server.stateDirectory,
                "--bind", "tcp://127.0.0.1:\(port)", "--heartbeat-ms", String(FaultHarness.heartbeatMilliseconds), "--progress", "quiet",
            ])
            let worker = try FaultHarness.worker(port: port, slots: 4)
            let probe = try PostgresConnection(url: server.url, reconnectPolicy: .none)
            #expect(eventually(timeout: 30) { FaultHarness.resultRows(probe) >= 100 }, "\(coordinator.standardError.suffix(2000))")
            let pidText = try String(contentsOfFile: server.server.dataDirectory + "/postmaster.pid", encoding: .utf8)
            let postmaster = try #require(pid_t(pidText.split(separator: "\n")[0]))
            let resultsAtKill = FaultHarness.resultRows(probe)
            kill(postmaster, SIGKILL)
            let killedAt = Date()

            let outcome = coordinator.finish(timeout: 120)
            let seconds = Date().timeIntervalSince(killedAt)
            _ = worker.finish(timeout: 15)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardError.contains("the embedded PostgreSQL died (postmaster pid \(postmaster) is gone"), "\(outcome.standardError.suffix(3000))")
            let db = try PostgresConnection(url: server.url)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells, "every result, none twice")
            let events = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'database_restarted'")
            #expect(events == 1)
            let status = try ProcessRunner.run("nmsweep", ["db", "status", "--state-dir", server.server.stateDirectory])
            #expect(status.standardOutput.contains("restarts by a coordinator's supervisor: 1 (last at "), "\(status.standardOutput)")
            reportFault("embedded postmaster SIGKILL", [
                "cells": cells, "results at kill": resultsAtKill, "results": counts.rows, "kill to done s": String(format: "%.1f", seconds),
            ])
        }
    }
}
