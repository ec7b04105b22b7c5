import Foundation
import NoisyCore
import Postgres
import SweepKit
import Testing
import TestSupport
import ZeroMQ
import StudyData

/// A peer speaking the protocol by hand (a DEALER with a routing id of the test's choosing): what
/// a hostile or broken worker can send a coordinator.
final class HandPeer {
    let context: Context
    let socket: Socket
    let id: WorkerID

    init(port: Int, id: String) throws {
        context = try Context(ioThreads: 1)
        socket = try Socket(context, type: .dealer)
        self.id = WorkerID(id)
        try socket.set(.routingID, Array(id.utf8))
        try socket.set(.linger, 0)
        try socket.connect("tcp://127.0.0.1:\(port)")
    }

    func send(_ message: WireMessage) throws { _ = try socket.send([message.encoded()]) }

    /// Heartbeats while receiving, so the coordinator (200 ms × 3 liveness) keeps this peer.
    var heartbeats = true
    var lastSent = Date()

    /// Messages that arrive within `seconds` (undecodable ones dropped).
    func receive(for seconds: Double) -> [WireMessage] {
        var out: [WireMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if heartbeats, Date().timeIntervalSince(lastSent) > 0.1 {
                try? send(.heartbeat)
                lastSent = Date()
            }
            while let frames = try? socket.receiveMultipart(dontWait: true), let frame = frames.last {
                if let message = try? WireMessage(decoding: frame) { out.append(message) }
            }
            usleep(5_000)
        } while Date() < deadline
        return out
    }

    /// Receives until `done` holds for what arrived so far, or `timeout` seconds pass.
    func receive(until done: ([WireMessage]) -> Bool, timeout: Double) -> [WireMessage] {
        var out: [WireMessage] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !done(out) { out += receive(for: 0.05) }
        return out
    }

    func close() {
        socket.close()
        context.shutdown()
    }
}

extension [WireMessage] {
    var assigns: [Wire.Assign] { flatMap { message -> [Wire.Assign] in if case .assign(let batch) = message { batch.assignments } else { [] } } }
    var ackedCells: [CellKey] {
        flatMap { message -> [CellKey] in
            if case .ack(let a) = message { return a.cells }
            return []
        }
    }
}

extension FaultTests {
    /// Issue 14, "one crashing cell fails the innocent cells beside it".
    @Suite("Integrity: a crash charges only the guilty cell")
    struct Guilt {
        /// Four cells on one four-slot local worker, cell 0 crashing its process halfway through:
        /// before, every co-resident cell was charged an attempt at each crash (with
        /// `--max-attempts 1` all four failed); now they run again, each alone, and only the
        /// crash cell is charged. 20 sweeps, four at a time (distinct sleeps: distinct cells).
        @Test("one crash cell among four on a four-slot worker, 20 sweeps: only the crash cell ever fails")
        func onlyTheCrashCellFails() throws {
            let url = try PostgresTestServer.freshDatabaseURL("guilt")
            let lanes = 4, rounds = 5, cells = 4
            var outcomes: [ProcessRunner.Outcome] = []
            let start = Date()
            for round in 0..<rounds {
                let running = try (0..<lanes).map { lane in
                    try FaultHarness.coordinator(
                        database: url, name: "guilt-\(round)-\(lane)", cells: cells, sleepMilliseconds: 200 + round * lanes + lane,
                        port: try FaultHarness.freePort(), localWorkers: 1,
                        extra: ["--worker-slots", "4", "--noop-fault", "0:crash", "--max-attempts", "1"])
                }
                outcomes += running.map { $0.finish(timeout: 90) }
            }
            let seconds = Date().timeIntervalSince(start)
            for outcome in outcomes {
                #expect(outcome.status == 1, "\(outcome.standardError.suffix(2000))")
                #expect(outcome.standardOutput.contains("\(cells - 1)/\(cells) done, 1 failed"), "\(outcome.standardOutput)")
            }
            let db = try PostgresConnection(url: url)
            let innocentFailed = try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells WHERE state = 'failed' AND spec::text NOT LIKE '%crash%'")
            let guiltyFailed = try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells WHERE state = 'failed' AND spec::text LIKE '%crash%'")
            let innocentCharged = try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells WHERE attempts > 0 AND spec::text NOT LIKE '%crash%'")
            #expect(innocentFailed == 0, "no innocent cell failed")
            #expect(innocentCharged == 0, "no innocent cell was charged an attempt")
            #expect(guiltyFailed == lanes * rounds, "the crash cell failed in every sweep")
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == (cells - 1) * lanes * rounds && counts.cells == counts.rows)
            reportFault("one crash cell among four, 20 sweeps", [
                "sweeps": outcomes.count, "innocent cells failed": innocentFailed, "innocent cells charged": innocentCharged,
                "crash cells failed": guiltyFailed, "results": counts.rows, "all sweeps s": String(format: "%.1f", seconds),
            ])
        }
    }

    /// Issue 14, "impossible results are stored", "silent peers consume attempts", "a registered
    /// peer gets cells at once".
    @Suite("Integrity: results validated at the door, credit only as asked")
    struct Door {
        @Test("a peer gets no cell until it asks; impossible values and never-assigned cells are refused; the sweep ends clean")
        func impossibleResultsRefused() throws {
            let url = try PostgresTestServer.freshDatabaseURL("door")
            let port = try FaultHarness.freePort()
            let cells = 8
            let coordinator = try FaultHarness.coordinator(database: url, name: "door", cells: cells, sleepMilliseconds: 30, port: port)
            #expect(coordinator.waitForOutput(containing: "listening on", timeout: 30))
            let rogue = try HandPeer(port: port, id: "rogue-door")  // heartbeats while it waits: alive, not asking
            defer { rogue.close() }
            try rogue.send(.ready(Wire.Ready(worker: rogue.id, incarnation: 1, pid: 1, slots: 4, softwareVersion: "rogue", host: "rogue")))
            let welcome = rogue.receive(for: 1.5)
            #expect(welcome.contains { if case .welcome = $0 { true } else { false } }, "registered")
            #expect(welcome.assigns.isEmpty, "registering grants no credit: \(welcome.assigns.count) cells assigned")

            try rogue.send(.credit(Wire.Credit(slots: 3)))
            let assigns = rogue.receive(until: { $0.assigns.count >= 3 }, timeout: 10).assigns
            try #require(assigns.count == 3, "three cells for three credits")
            try rogue.send(.accepted(Wire.Accepted(leases: assigns.map(\.lease))))
            for (assign, accuracy) in zip(assigns, [7.5, Double.nan, -3]) {
                try rogue.send(.result([Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, result: CellResult(accuracy: accuracy, sve: 0, lsvr: 0))]))
            }
            // A cell this peer was never given, under a made-up lease.
            let db = try PostgresConnection(url: url)
            let all = try db.query("SELECT key FROM cells", []).map { CellKey(hex: try $0.decode(0, as: String.self))! }
            let other = try #require(all.first { key in !assigns.contains { $0.cell == key } })
            try rogue.send(.result([Wire.ResultReport(cell: other, lease: assigns[0].lease + 1_000, attempt: 1, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0))]))
            let acked = rogue.receive(until: { Set($0.ackedCells).isSuperset(of: assigns.map(\.cell)) }, timeout: 10).ackedCells
            #expect(Set(acked) == Set(assigns.map(\.cell)), "refused results are acknowledged (not to be sent again), nothing else")
            try rogue.send(.shutdown(Wire.Shutdown(reason: "done forging")))

            let worker = try FaultHarness.worker(port: port, slots: 2)
            let outcome = coordinator.finish(timeout: 60)
            _ = worker.finish(timeout: 10)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            #expect(outcome.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(outcome.standardOutput)")
            #expect(outcome.standardOutput.contains("1 bad frames dropped"), "the never-assigned cell's result: \(outcome.standardOutput)")
            let impossible = try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE NOT (accuracy BETWEEN 0 AND 1) OR accuracy = 'NaN'")
            #expect(impossible == 0)
            let forgedRows = try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE worker_id = 'rogue-door'")
            #expect(forgedRows == 0)
            let refused = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued' AND message LIKE 'result refused: accuracy%'")
            #expect(refused == 3)
            reportFault("impossible results", [
                "cells": cells, "rogue assigned before credit": welcome.assigns.count, "refused": refused,
                "stored from the rogue": forgedRows, "impossible stored": impossible,
            ])
        }

        @Test("a forged pretrain result (no model, or a model never uploaded) is refused; a pre-training marked done without a model runs again")
        func forgedPretrainRefused() throws {
            let url = try PostgresTestServer.freshDatabaseURL("forgepre")
            let port = try FaultHarness.freePort()
            let path = NSTemporaryDirectory() + "nmsweep-forgepre-\(getpid()).yaml"
            try GridRun.tinyGrid().replacingOccurrences(of: "name: bad-input", with: "name: forgepre").write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let cache = NSTemporaryDirectory() + "nmsweep-forgepre-cache-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: cache) }
            let arguments = ["--grid", path, "--database", url, "--bind", "tcp://127.0.0.1:\(port)", "--progress", "quiet",
                             "--heartbeat-ms", "200", "--worker-argument=--cache-dir=\(cache)", "--shutdown-grace-ms", "1000"]
            let coordinator = try RunningProcess("nmsweep-coordinator", arguments + ["--local-workers", "0"])
            #expect(coordinator.waitForOutput(containing: "listening on", timeout: 30))
            let rogue = try HandPeer(port: port, id: "rogue-pretrain")
            try rogue.send(.ready(Wire.Ready(worker: rogue.id, incarnation: 1, pid: 1, slots: 1, softwareVersion: "rogue", host: "rogue")))
            try rogue.send(.credit(Wire.Credit(slots: 1)))
            var forged = 0
            for artifact in [nil, String(repeating: "ab", count: 32)] {
                let assigns = rogue.receive(until: { !$0.assigns.isEmpty }, timeout: 10).assigns
                let assign = try #require(assigns.first, "the pretrain cell is assigned")
                try rogue.send(.accepted(Wire.Accepted(leases: [assign.lease])))
                try rogue.send(.result([Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, result: CellResult(accuracy: 0.9, artifactSHA256: artifact))]))
                try rogue.send(.credit(Wire.Credit(slots: 1)))
                forged += 1
            }
            _ = rogue.receive(for: 0.5)
            try rogue.send(.shutdown(Wire.Shutdown(reason: "done forging")))
            rogue.close()
            coordinator.signal(SIGTERM)
            let stopped = coordinator.finish(timeout: 30)
            #expect(stopped.status == 3, "\(stopped.standardError.suffix(2000))")
            let db = try PostgresConnection(url: url)
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells WHERE kind = 'pretrain' AND state = 'done'") == 0)
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM artifacts") == 0)
            let refusals = try db.query("SELECT message FROM events WHERE kind = 'cell_requeued' AND message LIKE 'result refused:%' ORDER BY id", [])
                .map { try $0.decode(0, as: String.self) }
            #expect(refusals.count == forged, "\(refusals)")
            #expect(refusals.first?.contains("names no model") == true && refusals.last?.contains("did not arrive") == true, "\(refusals)")

            // What a forger did before this fix: the pretrain cell marked done with no model. The
            // next run runs it again (and its dependent after it) instead of failing forever.
            _ = try db.execute("UPDATE cells SET state = 'done' WHERE kind = 'pretrain'")
            let rerun = try ProcessRunner.run("nmsweep-coordinator", arguments + ["--local-workers", "1", "--worker-slots", "2"], timeout: 120)
            #expect(rerun.status == 0, "\(rerun.standardError.suffix(3000))")
            #expect(rerun.standardOutput.contains("2/2 done, 0 failed"), "\(rerun.standardOutput)")
            #expect(rerun.standardError.contains("marked done without a model"), "\(rerun.standardError.suffix(2000))")
            reportFault("forged pretrain result", ["refused": refusals.count, "pretrain done with no model after rerun": 0])
        }
    }

    /// Issue 14, "hostile data crashes the worker instead of failing the cell", "a FIFO blocks
    /// grid loading forever", "nothing caps a grid".
    @Suite("Integrity: hostile inputs fail a cell or the grid, never a process")
    struct HostileInputs {
        /// A black-box grid over NPY files in a fresh folder; `trainLabels` replaces the train labels.
        static func blackBoxGrid(_ label: String, trainLabels: [Int]) throws -> (folder: String, grid: String) {
            let folder = NSTemporaryDirectory() + "nmsweep-hostile-\(label)-\(getpid())"
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let rows = trainLabels.count
            var x = Matrix(rows: rows, cols: 4)
            for i in 0..<rows { for j in 0..<4 { x[i, j] = Float((i * 7 + j * 3) % 11) / 11 } }
            try NPYArray.write(x, to: folder + "/train-x.npy")
            try NPYArray.write(labels: trainLabels, to: folder + "/train-y.npy")
            try NPYArray.write(x, to: folder + "/test-x.npy")
            try NPYArray.write(labels: (0..<rows).map { $0 % 2 }, to: folder + "/test-y.npy")
            let grid = """
                name: hostile-\(label)
                noise_ratios: [0]
                methods: [lp]
                seeds: 1
                max_attempts: 3
                tuning: {epochs: 1}
                features:
                  path: "{split}-x.npy"
                  labels: "{split}-y.npy"

                """
            try grid.write(toFile: folder + "/grid.yaml", atomically: true, encoding: .utf8)
            return (folder, folder + "/grid.yaml")
        }

        @Test("labels of 2^63-1 and 10^9 fail their cell at attempt 1 naming the label; the worker lives")
        func hostileLabels() throws {
            for (label, value) in [("huge", Int.max), ("billion", 1_000_000_000)] {
                let (folder, grid) = try Self.blackBoxGrid(label, trainLabels: (0..<32).map { $0 == 5 ? value : $0 % 2 })
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let url = try PostgresTestServer.freshDatabaseURL("hostile\(label)")
                let run = try ProcessRunner.run("nmsweep-coordinator", [
                    "--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "1", "--worker-slots", "1",
                    "--progress", "quiet", "--heartbeat-ms", "200",
                ], timeout: 60)
                #expect(run.status == 1, "\(label): \(run.standardError.suffix(2000))")
                #expect(run.standardOutput.contains("0/1 done, 1 failed"), "\(run.standardOutput)")
                #expect(!run.standardError.contains("died"), "the worker was not restarted: \(run.standardError.suffix(2000))")
                let db = try PostgresConnection(url: url)
                let failed = try FaultHarness.failedCells(db)
                #expect(failed.count == 1 && failed.first?.attempts == 1, "\(failed)")
                let error = failed.first?.error ?? ""
                #expect(error.contains("label 5 is \(value)") && error.contains("train-y.npy"), "\(error)")
            }
        }

        @Test("a FIFO as a feature file: the grid is refused at once (exit 2) naming it")
        func fifoRefused() throws {
            let (folder, grid) = try Self.blackBoxGrid("fifo", trainLabels: (0..<32).map { $0 % 2 })
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.removeItem(atPath: folder + "/test-x.npy")
            #expect(mkfifo(folder + "/test-x.npy", 0o600) == 0)
            let start = Date()
            let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", grid, "--database", "postgresql://unused@127.0.0.1:1/x"],
                                            timeout: 20)
            #expect(run.status == 2, "\(run.standardError)")
            #expect(run.standardError.contains("test-x.npy") && run.standardError.contains("a FIFO"), "\(run.standardError)")
            #expect(Date().timeIntervalSince(start) < 10)
        }

        @Test("a grid over --max-cells is refused before expansion (exit 2, at once); one within it runs")
        func maxCells() throws {
            let folder = NSTemporaryDirectory() + "nmsweep-maxcells-\(getpid())"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let huge = folder + "/huge.yaml"
            try GridRun.tinyGrid().replacingOccurrences(of: "seeds: 1", with: "seeds: 1000000")
                .replacingOccurrences(of: "tasks: [digits]", with: "tasks: [digits, fmnist, mnist5k, fmnist-coarse]")
                .write(toFile: huge, atomically: true, encoding: .utf8)
            let start = Date()
            let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", huge, "--database", "postgresql://unused@127.0.0.1:1/x"],
                                            timeout: 30)
            let seconds = Date().timeIntervalSince(start)
            #expect(run.status == 2, "\(run.standardError)")
            #expect(run.standardError.contains("5000000 cells, more than the limit of 1000000 (--max-cells)"), "\(run.standardError)")
            #expect(seconds < 10, "refused before expansion: \(seconds) s")
            let tiny = folder + "/tiny.yaml"
            try GridRun.tinyGrid().write(toFile: tiny, atomically: true, encoding: .utf8)
            let small = try ProcessRunner.run("nmsweep-coordinator", ["--grid", tiny, "--max-cells", "1",
                                                                      "--database", "postgresql://unused@127.0.0.1:1/x"], timeout: 30)
            #expect(small.status == 2 && small.standardError.contains("2 cells, more than the limit of 1"), "\(small.standardError)")
            reportFault("grid over --max-cells", ["cells": 5_000_000, "refused after s": String(format: "%.2f", seconds)])
        }
    }

    /// Issue 14, "SIGTERM during a database outage", "a SIGKILLed worker is logged left",
    /// "junk READY/SHUTDOWN registering and leaving".
    @Suite("Integrity: stop during an outage, lost vs left, churning peers")
    struct Surroundings {
        @Test("SIGTERM while PostgreSQL is stopped: exit 3 within the grace period with a summary; sweep_interrupted at the next start")
        func stopDuringOutage() throws {
            let postgres = try PrivatePostgres(label: "outagestop")
            defer { postgres.remove() }
            let port = try FaultHarness.freePort()
            let cells = 60
            let arguments = ["--worker-slots", "2", "--shutdown-grace-ms", "2000"]
            let coordinator = try FaultHarness.coordinator(database: postgres.url, name: "outagestop", cells: cells, sleepMilliseconds: 100,
                                                           port: port, localWorkers: 1, extra: arguments)
            let db = try PostgresConnection(url: postgres.url, reconnectPolicy: .none)
            #expect(eventually(timeout: 30) { FaultHarness.resultRows(db) >= 6 }, "\(coordinator.standardError.suffix(2000))")
            try postgres.stop()
            usleep(1_500_000)
            let signalled = Date()
            coordinator.signal(SIGTERM)
            let outcome = coordinator.finish(timeout: 60)
            let seconds = Date().timeIntervalSince(signalled)
            #expect(outcome.status == 3, "\(outcome.standardError.suffix(3000))")
            #expect(seconds < 2 + 6, "exit within the 2 s grace period and the 2 s store limit: \(seconds) s")
            #expect(outcome.standardOutput.contains("sweep outagestop: ") && outcome.standardOutput.contains("database is away"),
                    "\(outcome.standardOutput)")

            try postgres.start()
            let db2 = try PostgresConnection(url: postgres.url)
            #expect(try FaultHarness.scalar(db2, "SELECT count(*)::int FROM events WHERE kind = 'sweep_interrupted'") == 0)
            let again = try FaultHarness.coordinator(database: postgres.url, name: "outagestop", cells: cells, sleepMilliseconds: 100,
                                                     port: port, localWorkers: 1, extra: arguments).finish(timeout: 60)
            #expect(again.status == 0, "\(again.standardError.suffix(3000))")
            #expect(again.standardOutput.contains("\(cells)/\(cells) done, 0 failed"), "\(again.standardOutput)")
            let late = try FaultHarness.scalar(db2, "SELECT count(*)::int FROM events WHERE kind = 'sweep_interrupted' AND detail->>'recorded_late' = 'true'")
            #expect(late == 1)
            reportFault("SIGTERM during a database outage", ["exit": outcome.status, "exit after s": String(format: "%.2f", seconds),
                                                             "sweep_interrupted recorded at the next start": late])
        }

        @Test("a SIGKILLed worker is lost, not left: one worker_lost event, no worker_left, a 'lost' log line")
        func killedWorkerIsLost() throws {
            let url = try PostgresTestServer.freshDatabaseURL("lostleft")
            let port = try FaultHarness.freePort()
            let coordinator = try FaultHarness.coordinator(database: url, name: "lostleft", cells: 40, sleepMilliseconds: 100, port: port)
            let victim = try FaultHarness.worker(port: port, slots: 2)
            let db = try PostgresConnection(url: url)
            #expect(eventually(timeout: 20) { FaultHarness.resultRows(db) >= 4 })
            victim.signal(SIGKILL)
            _ = victim.wait(timeout: 10)
            let tag = "%-\(victim.pid)-%"
            #expect(eventually(timeout: 10) {
                ((try? FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1", tag)) ?? 0) > 0
            })
            let survivor = try FaultHarness.worker(port: port, slots: 4)
            let outcome = coordinator.finish(timeout: 60)
            _ = survivor.finish(timeout: 10)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            let lost = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1", tag)
            let left = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'worker_left' AND worker_id LIKE $1", tag)
            #expect(lost == 1 && left == 0, "lost \(lost), left \(left)")
            let lines = outcome.standardError.split(separator: "\n").filter { $0.contains("-\(victim.pid)-") }
            #expect(lines.contains { $0.contains(" lost: ") }, "\(lines)")
            #expect(!lines.contains { $0.contains(" left") }, "\(lines)")
        }

        @Test("a peer registering and leaving 2,000 times: a bounded number of log lines and events, no cell requeued")
        func churningPeer() throws {
            let url = try PostgresTestServer.freshDatabaseURL("churn")
            let port = try FaultHarness.freePort()
            let coordinator = try FaultHarness.coordinator(database: url, name: "churn", cells: 20, sleepMilliseconds: 50, port: port)
            #expect(coordinator.waitForOutput(containing: "listening on", timeout: 30))
            let linesBefore = coordinator.standardError.split(separator: "\n").count
            let peer = try HandPeer(port: port, id: "churner")
            peer.heartbeats = false
            defer { peer.close() }
            let rounds = 2_000
            for _ in 0..<rounds {
                try peer.send(.ready(Wire.Ready(worker: peer.id, incarnation: 1, pid: 1, slots: 8, softwareVersion: "junk", host: "junk")))
                try peer.send(.shutdown(Wire.Shutdown(reason: "junk")))
            }
            // Synced: the last READY's WELCOME arrives after all before it was handled.
            let welcomes = peer.receive(until: { $0.filter { if case .welcome = $0 { true } else { false } }.count >= rounds }, timeout: 30)
            #expect(welcomes.assigns.isEmpty)
            let worker = try FaultHarness.worker(port: port, slots: 4)
            let outcome = coordinator.finish(timeout: 60)
            _ = worker.finish(timeout: 10)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
            let churnLines = outcome.standardError.split(separator: "\n").dropFirst(linesBefore).filter { $0.contains("churner") }.count
            #expect(churnLines <= 40, "\(churnLines) log lines for \(rounds) joins and leaves")
            let db = try PostgresConnection(url: url)
            let events = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE worker_id = 'churner'")
            let requeued = try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued'")
            #expect(events <= 20, "\(events) events for \(rounds) joins and leaves")
            #expect(requeued == 0)
            reportFault("peer churning READY/SHUTDOWN", ["rounds": rounds, "log lines": churnLines, "events": events, "cells requeued": requeued])
        }
    }
}
