import Foundation
import Postgres
import SweepKit
import Testing
import TestSupport
import NoisyCore

extension FaultTests {
    /// Issue 21 ("a sweep has one owner") and issue 14's persisted leases, with real coordinators,
    /// workers and PostgreSQL.
    @Suite("Ownership: one coordinator per sweep, leases that outlive it")
    struct Ownership {
        /// A coordinator of `cells` no-op cells on a fresh database and a free port, one external
        /// worker, running until `until` results are stored.
        static func running(_ label: String, name: String, cells: Int, sleep: Int, slots: Int, until: Int) throws
            -> (url: String, port: Int, coordinator: RunningProcess, worker: RunningProcess, db: PostgresConnection) {
            let url = try PostgresTestServer.freshDatabaseURL(label)
            let port = try FaultHarness.freePort()
            let coordinator = try FaultHarness.coordinator(database: url, name: name, cells: cells, sleepMilliseconds: sleep, port: port)
            let worker = try FaultHarness.worker(port: port, slots: slots)
            let db = try PostgresConnection(url: url)
            #expect(eventually(timeout: 30) { FaultHarness.resultRows(db) >= until }, "\(coordinator.standardError.suffix(2000))")
            return (url, port, coordinator, worker, db)
        }

        /// The scenario: two coordinators on one sweep both ran it to the end.
        @Test("a second coordinator of a running sweep exits 2 naming the owner; after the owner's SIGKILL a new one takes over at once")
        func secondCoordinatorRefusedThenTakesOver() throws {
            let cells = 600
            let (url, port, first, worker, db) = try Self.running("owner", name: "two", cells: cells, sleep: 10, slots: 4, until: 50)
            let otherPort = try FaultHarness.freePort()

            let second = try FaultHarness.coordinator(database: url, name: "two", cells: cells, sleepMilliseconds: 10, port: otherPort,
                                                      localWorkers: 1)
            let refused = second.finish(timeout: 30)
            #expect(refused.status == 2, "\(refused.standardError.suffix(2000))")
            #expect(refused.standardError.contains("sweep two is being run by \(first.pid) on "), "\(refused.standardError.suffix(2000))")
            #expect(refused.standardError.contains("(endpoint tcp://127.0.0.1:\(port))"), "\(refused.standardError.suffix(2000))")
            #expect(FaultHarness.number(before: " assigned", in: refused.standardOutput) == nil, "it ran nothing")

            _ = first.killAndWait()
            let killedAt = Date()
            let resultsAtKill = FaultHarness.resultRows(db)
            let successor = try FaultHarness.coordinator(database: url, name: "two", cells: cells, sleepMilliseconds: 10, port: port)
            let outcome = successor.finish(timeout: 60)
            let seconds = Date().timeIntervalSince(killedAt)
            _ = worker.finish(timeout: 15)
            #expect(outcome.status == 0, "takes over at once: \(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            let committed = FaultHarness.number(before: " results committed", in: outcome.standardOutput) ?? -1
            let stored = FaultHarness.number(before: " stored by this run", in: outcome.standardOutput) ?? -1
            let present = FaultHarness.number(before: " already present", in: outcome.standardOutput) ?? -1
            #expect(stored + present == committed && stored >= 0 && present >= 0, "\(outcome.standardOutput)")
            #expect(stored == cells - resultsAtKill || stored <= cells - resultsAtKill, "the successor stored only what was missing")
            let owners = try FaultHarness.scalar(db, "SELECT count(*)::int FROM sweep_owners WHERE released_at IS NOT NULL")
            #expect(owners == 1, "the successor released its claim at the end")
            reportFault("second coordinator on one sweep", [
                "cells": cells, "second exit": refused.status, "results at kill": resultsAtKill,
                "successor committed": committed, "stored": stored, "already present": present, "kill to done s": String(format: "%.1f", seconds),
            ])
        }

        /// Issue 14's leftover: results under a previous coordinator's leases were taken only in
        /// the first 60 s of a run. Now they are checked against the leases it persisted.
        @Test("a successor takes a late result under its predecessor's persisted lease, and refuses a made-up lease and another peer's")
        func predecessorLeasesChecked() throws {
            let url = try PostgresTestServer.freshDatabaseURL("leases")
            let port = try FaultHarness.freePort()
            let cells = 6
            let first = try FaultHarness.coordinator(database: url, name: "leases", cells: cells, sleepMilliseconds: 30, port: port)
            #expect(first.waitForOutput(containing: "listening on", timeout: 30))
            let peer = try HandPeer(port: port, id: "peer-leases")
            defer { peer.close() }
            try peer.send(.ready(Wire.Ready(worker: peer.id, incarnation: 1, pid: 1, slots: 2, softwareVersion: "hand", host: "hand")))
            try peer.send(.credit(Wire.Credit(slots: 2)))
            let assigns = peer.receive(until: { $0.assigns.count >= 2 }, timeout: 10).assigns
            try #require(assigns.count == 2)
            try peer.send(.accepted(Wire.Accepted(leases: assigns.map(\.lease))))
            let db = try PostgresConnection(url: url)
            #expect(eventually(timeout: 10) {
                ((try? FaultHarness.scalar(db, "SELECT coalesce(sum(cardinality(leases)), 0)::int FROM sweep_leases WHERE worker_id = 'peer-leases'")) ?? 0) == 2
            }, "both leases persisted")
            _ = first.killAndWait()

            let successor = try FaultHarness.coordinator(database: url, name: "leases", cells: cells, sleepMilliseconds: 30, port: port)
            #expect(successor.waitForOutput(containing: "listening on", timeout: 30))
            // The peer's DEALER reconnects by itself; it registers with the new coordinator.
            try peer.send(.ready(Wire.Ready(worker: peer.id, incarnation: 2, pid: 1, slots: 2, softwareVersion: "hand", host: "hand")))
            #expect(peer.receive(until: { $0.contains { if case .welcome = $0 { true } else { false } } }, timeout: 10).isEmpty == false)
            // The late result of its first lease: taken. A result under a made-up lease below the
            // successor's (never issued by anyone) for a cell it was not given: refused.
            let all = try db.query("SELECT key FROM cells", []).map { CellKey(hex: try $0.decode(0, as: String.self))! }
            let other = try #require(all.first { key in !assigns.contains { $0.cell == key } })
            try peer.send(.result([Wire.ResultReport(cell: assigns[0].cell, lease: assigns[0].lease, attempt: assigns[0].attempt, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0))]))
            try peer.send(.result([Wire.ResultReport(cell: other, lease: assigns[1].lease + 7, attempt: 1, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0))]))
            let acked = peer.receive(until: { $0.ackedCells.contains(assigns[0].cell) }, timeout: 10).ackedCells
            #expect(acked == [assigns[0].cell], "only the predecessor's real lease is acknowledged")
            // Another peer presenting the first peer's lease: refused.
            let thief = try HandPeer(port: port, id: "thief-leases")
            defer { thief.close() }
            try thief.send(.ready(Wire.Ready(worker: thief.id, incarnation: 1, pid: 2, slots: 1, softwareVersion: "hand", host: "hand")))
            _ = thief.receive(until: { $0.contains { if case .welcome = $0 { true } else { false } } }, timeout: 10)
            try thief.send(.result([Wire.ResultReport(cell: assigns[1].cell, lease: assigns[1].lease, attempt: assigns[1].attempt, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0))]))
            #expect(thief.receive(for: 1).ackedCells.isEmpty)
            try peer.send(.shutdown(Wire.Shutdown(reason: "done")))
            try thief.send(.shutdown(Wire.Shutdown(reason: "done")))

            let worker = try FaultHarness.worker(port: port, slots: 2)
            let outcome = successor.finish(timeout: 60)
            _ = worker.finish(timeout: 10)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("2 bad frames dropped"), "the made-up lease and the thief's: \(outcome.standardOutput)")
            let fromPeer = try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE worker_id = 'peer-leases'")
            let fromThief = try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE worker_id = 'thief-leases'")
            #expect(fromPeer == 1 && fromThief == 0)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            reportFault("predecessor leases", ["late result taken": fromPeer, "made-up and stolen leases stored": fromThief])
        }

        /// Two sweeps sharing their cells, run at once by two coordinators: no cell runs twice.
        @Test("two sweeps sharing every cell, run at once: each cell is assigned once in all, both finish, the second waits for the first")
        func sharedCellsRunOnce() throws {
            let cells = 300
            // No-op cells' keys depend only on index, sleep and fault: these two sweeps share all of them.
            let (url, _, first, a, db) = try Self.running("shared", name: "share-a", cells: cells, sleep: 20, slots: 2, until: 20)
            let otherPort = try FaultHarness.freePort()
            let second = try FaultHarness.coordinator(database: url, name: "share-b", cells: cells, sleepMilliseconds: 20, port: otherPort)
            let b = try FaultHarness.worker(port: otherPort, slots: 2)
            let one = first.finish(timeout: 60), two = second.finish(timeout: 60)
            _ = a.finish(timeout: 10)
            _ = b.finish(timeout: 10)
            #expect(one.status == 0 && two.status == 0, "\(one.standardError.suffix(1500))\n\(two.standardError.suffix(1500))")
            let assignedA = FaultHarness.number(before: " assigned", in: one.standardOutput) ?? -1
            let assignedB = FaultHarness.number(before: " assigned", in: two.standardOutput) ?? -1
            #expect(assignedA + assignedB == cells, "each cell assigned once in all: \(assignedA) + \(assignedB)")
            #expect(two.standardOutput.contains("\(cells)/\(cells) done"), "\(two.standardOutput)")
            #expect(two.standardError.contains("shared with another sweep"), "\(two.standardError.suffix(1500))")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
            reportFault("two sweeps sharing cells", ["cells": cells, "assigned by the first": assignedA, "by the second": assignedB])
        }

        /// Fencing: a coordinator whose database session is cut stops dispatching until it holds
        /// the claim again; its results still commit.
        @Test("a coordinator whose claim session is terminated pauses dispatch, takes the claim again, and finishes")
        func fencedWhenTheSessionIsLost() throws {
            let cells = 400
            let (_, _, coordinator, worker, db) = try Self.running("fence", name: "fence", cells: cells, sleep: 10, slots: 4, until: 40)
            let terminated = try FaultHarness.scalar(db, "SELECT count(*)::int FROM sweep_owners o, LATERAL (SELECT pg_terminate_backend(o.backend_pid)) t")
            #expect(terminated == 1)
            let outcome = coordinator.finish(timeout: 60)
            _ = worker.finish(timeout: 10)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardError.contains("dispatch paused until it is taken again"), "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardError.contains("claim taken again"), "\(outcome.standardError.suffix(3000))")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells)
        }
    }
}
