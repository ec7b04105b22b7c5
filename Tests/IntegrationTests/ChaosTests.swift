import Foundation
import Postgres
import SweepStore
import Testing
import TestSupport

extension FaultTests {
    /// Issue 21, "chaos in the suite": faults that come together. A seeded monkey SIGKILLs and
    /// restarts workers every fraction of a second while a few thousand no-op cells run, SIGKILLs
    /// the coordinator twice (each time a new one is started on the same port), SIGKILLs the
    /// database's postmaster once (the coordinator's supervisor restarts it) and, as root, cuts one
    /// worker's network for 2 s. Replay a failure with `NMSWEEP_CHAOS_SEED=<the printed seed>`.
    @Suite("Chaos: workers, coordinator, database and network failing together")
    struct Chaos {
        /// SplitMix64: the monkey's choices, replayable from the seed.
        struct Monkey: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }

        @Test("every cell exactly once, and every coordinator's summary agrees with the database")
        func monkey() throws {
            let seed = ProcessInfo.processInfo.environment["NMSWEEP_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
            print("CHAOS seed \(seed) (replay: NMSWEEP_CHAOS_SEED=\(seed) swift test -c release --filter Chaos)")
            var monkey = Monkey(state: seed)
            let cells = 3000
            let server = try PrivatePostgres(label: "chaos", durable: true)
            defer { server.remove() }
            // As root: the coordinator and its workers in one network namespace, one worker in
            // another behind a veth pair whose link the monkey cuts.
            let withNetwork = NetworkNamespace.isAvailable
            let hub = withNetwork ? try NetworkNamespace("chaos-hub") : nil
            let island = withNetwork ? try NetworkNamespace("chaos-isl") : nil
            defer { island?.delete(); hub?.delete() }
            let cable = try hub.flatMap { hub in try island.map { try NetworkNamespace.link(hub, $0, subnet: "10.78.0") } }
            if !withNetwork { print("CHAOS: the network cut is skipped: \(NetworkNamespace.unavailableReason ?? "network namespaces unavailable")") }
            let address = cable?.a.address ?? "127.0.0.1"
            let port = withNetwork ? 5555 : try FaultHarness.freePort()
            let endpoint = "tcp://\(address):\(port)"
            let cache = NSTemporaryDirectory() + "nmsweep-chaos-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: cache) }

            func start(_ product: String, _ arguments: [String], in namespace: NetworkNamespace?) throws -> RunningProcess {
                if let namespace { return try RunningProcess(in: namespace, product, arguments) }
                return try RunningProcess(product, arguments)
            }
            func coordinator() throws -> RunningProcess {
                try start("nmsweep-coordinator", [
                    "--noop-cells", String(cells), "--noop-sleep-ms", "20", "--name", "chaos", "--state-dir", server.server.stateDirectory,
                    "--bind", endpoint, "--heartbeat-ms", "200", "--liveness", "3", "--max-attempts", "100", "--progress", "quiet",
                ], in: hub)
            }
            func worker(in namespace: NetworkNamespace?) throws -> RunningProcess {
                try start("nmsweep-worker", ["--connect", endpoint, "--slots", "2", "--cache-dir", cache, "--grace-ms", "1000"], in: namespace)
            }
            let probe = try PostgresConnection(url: server.url, reconnectPolicy: .none)
            func rows() -> Int { FaultHarness.resultRows(probe) }

            var current = try coordinator()
            var runs: [(process: RunningProcess, rowsAtStart: Int)] = [(current, 0)]
            var workers = try (0..<3).map { _ in try worker(in: hub) }
            let islander = try worker(in: island)
            var log: [String] = []
            var coordinatorKills = 0, workerKills = 0, databaseKilled = false, cut = false, restored = false
            var cutAt = Date.distantFuture
            let began = Date()
            while current.isRunning, Date().timeIntervalSince(began) < 100 {
                usleep(UInt32.random(in: 150_000...400_000, using: &monkey))
                let done = rows()
                // A worker killed and another started in its place, most rounds.
                if Int.random(in: 0..<10, using: &monkey) < 7 {
                    let victim = Int.random(in: 0..<workers.count, using: &monkey)
                    workers[victim].signal(SIGKILL)
                    workers[victim] = try worker(in: hub)
                    workerKills += 1
                }
                if coordinatorKills < 2, done >= cells * (coordinatorKills == 0 ? 20 : 55) / 100 {
                    current.signal(SIGKILL)
                    _ = current.wait(timeout: 10)
                    usleep(UInt32.random(in: 0...300_000, using: &monkey))
                    coordinatorKills += 1
                    let atStart = rows()
                    current = try coordinator()
                    runs.append((current, atStart))
                    log.append("coordinator SIGKILL \(coordinatorKills) at \(done) results")
                }
                if !databaseKilled, done >= cells * 35 / 100,
                   let text = try? String(contentsOfFile: server.server.dataDirectory + "/postmaster.pid", encoding: .utf8),
                   let pid = pid_t(text.split(separator: "\n").first ?? "") {
                    kill(pid, SIGKILL)
                    databaseKilled = true
                    log.append("postmaster SIGKILL at \(done) results")
                }
                if let cable, let island, !cut, done >= cells * 65 / 100 {
                    try island.setLink(cable.b.device, up: false)
                    cut = true
                    cutAt = Date()
                    log.append("network of the island worker cut at \(done) results")
                }
                if let cable, let island, cut, !restored, Date().timeIntervalSince(cutAt) >= 2 {
                    try island.setLink(cable.b.device, up: true)
                    restored = true
                    log.append("network restored")
                }
            }
            let final = current.finish(timeout: 60)
            let seconds = Date().timeIntervalSince(began)
            for w in workers { _ = w.finish(timeout: 10) }
            _ = islander.finish(timeout: 10)
            print("CHAOS seed \(seed): \(log.joined(separator: "; ")); \(workerKills) workers killed; \(String(format: "%.1f", seconds)) s")

            #expect(final.status == 0, "seed \(seed): \(final.standardError.suffix(3000))")
            #expect(coordinatorKills == 2 && databaseKilled, "seed \(seed): \(log)")
            #expect(!withNetwork || (cut && restored), "seed \(seed): \(log)")
            let db = try PostgresConnection(url: server.url)
            let counts = try FaultHarness.resultCounts(db)
            #expect(counts.rows == cells && counts.cells == cells, "seed \(seed): every cell exactly once")
            // The summary of every coordinator that lived to print one agrees with the database.
            for (process, atStart) in runs where !process.isRunning {
                let out = process.standardOutput
                guard let stored = FaultHarness.number(before: " stored by this run", in: out) else { continue }
                #expect(out.contains("\(cells)/\(cells) done, 0 failed"), "seed \(seed): \(out)")
                #expect(stored == counts.rows - atStart, "seed \(seed): stored \(stored), the table grew by \(counts.rows - atStart): \(out)")
            }
            #expect(final.standardError.contains("the embedded PostgreSQL died") || runs.dropLast().contains { $0.process.standardError.contains("the embedded PostgreSQL died") },
                    "seed \(seed): a supervisor saw the postmaster die")
            reportFault("chaos", ["seed": seed, "cells": cells, "workers killed": workerKills, "coordinators killed": coordinatorKills,
                                  "database killed": databaseKilled, "network cut": cut, "results": counts.rows,
                                  "seconds": String(format: "%.1f", seconds)])
        }
    }
}
