import Foundation
import NoisyCore
import Postgres
import SweepKit
import SweepStore
import Testing
import TestSupport
import ZeroMQ

/// A real sweep (`nmsweep-coordinator`, 2 local workers, no-op cells, a private PostgreSQL) while
/// test-side peers flood the coordinator's ROUTER with seeded bad frames: ≥ 100,000 messages from
/// four unregistered DEALERs, abuse from one registered DEALER (huge uploads, forged failures,
/// results for unknown cells), and raw TCP peers that declare frames far above `ZMQ_MAXMSGSIZE`.
///
/// It checks: the coordinator stays up and exits 0; the results equal a clean run's, row for row;
/// the bad-frame count it prints is exactly the number of bad messages sent; every valid message
/// of a stranger got `reregister` and nothing else; log lines stay few; peak RSS barely moves.
@Suite("The coordinator under a flood of bad frames")
struct CoordinatorFuzzTests {
    static let cellCount = 500
    static let sleepMilliseconds = 30
    static let seed: UInt64 = 0x6675_7A7A  // "fuzz": change it to explore, keep it to replay
    static let strangers = 4
    static let framesPerStranger = 25_500

    static func arguments(_ url: String) -> [String] {
        ["--noop-cells", String(cellCount), "--noop-sleep-ms", String(sleepMilliseconds), "--name", "fuzz", "--database", url,
         "--bind", "tcp://127.0.0.1:*", "--local-workers", "2", "--worker-slots", "2", "--progress", "quiet",
         "--heartbeat-ms", "200", "--max-attempts", "5"]
    }

    /// Every result row's values (no worker, no time), in key order.
    static func resultRows(_ url: String) throws -> [String] {
        let db = try SweepDatabase(url: url)
        let rows = try db.connection.query("""
            SELECT (cell_key, noise_ratio, task, task_kind, method, seed, accuracy, sve, lsvr, tuned_sve, tuned_lsvr,
                    train_loss, loss_terms, realized_noise)::text FROM results ORDER BY cell_key
            """, [])
        return try rows.map { try $0.decode(0, as: String.self) }
    }

    /// A `kB` field of /proc/PID/status (VmHWM, VmRSS).
    static func memoryKilobytes(_ pid: Int32, _ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
        }
        return -1
    }

    /// Reads what `socket` has (without waiting); returns the messages.
    static func drain(_ socket: Socket) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let frames = try socket.receiveMultipart(dontWait: true) { out.append(frames.last ?? []) }
        return out
    }

    @Test("≥ 100,000 bad frames during a sweep: the coordinator stays up, results equal a clean run, bad frames counted exactly")
    func floodDuringSweep() throws {
        // The clean run: the same cells with nobody else on the socket.
        let cleanURL = try PostgresTestServer.freshDatabaseURL("fuzzclean")
        let clean = try ProcessRunner.run("nmsweep-coordinator", Self.arguments(cleanURL), timeout: 60)
        try #require(clean.status == 0, "\(clean.standardError.suffix(2000))")
        #expect(!clean.standardOutput.contains("bad frames"))
        let cleanRows = try Self.resultRows(cleanURL)
        #expect(cleanRows.count == Self.cellCount)
        let cleanLogLines = clean.standardError.split(separator: "\n").count

        let url = try PostgresTestServer.freshDatabaseURL("fuzz")
        let coordinator = try RunningProcess("nmsweep-coordinator", Self.arguments(url))
        try #require(coordinator.waitForOutput(containing: "listening on tcp://", timeout: 30), "\(coordinator.standardError)")
        let listening = coordinator.standardError.split(separator: "\n").first { $0.contains("listening on tcp://") }!
        let endpoint = String(listening.split(separator: " ").first { $0.hasPrefix("tcp://") }!)
        let port = try #require(UInt16(endpoint.split(separator: ":").last!))
        #expect(eventually(timeout: 30) { coordinator.standardError.components(separatedBy: " joined: ").count - 1 >= 2 },
                "both local workers joined")
        let db = try SweepDatabase(url: url)
        let realCells = try db.connection.query("SELECT key FROM cells", []).map { CellKey(hex: try $0.decode(0, as: String.self))! }
        #expect(realCells.count == Self.cellCount)
        let peakBefore = Self.memoryKilobytes(coordinator.pid, "VmHWM")

        // 1. Raw peers declaring frames above ZMQ_MAXMSGSIZE: dropped by libzmq at the header.
        let declared: [UInt64] = [UInt64(WireFormat.maxFrameBytes) + 1, 64 << 20, 1 << 30, 1 << 40, UInt64(Int64.max)]
        var disconnected = 0
        for size in declared {
            let peer = try RawZMTPPeer(port: port)
            try peer.declareFrame(size: size, prefix: [WireFormat.version, MessageKind.heartbeat.rawValue, 0])
            if peer.closedByServer() { disconnected += 1 }
            peer.close()
        }
        #expect(disconnected == declared.count, "every peer declaring an oversized frame is disconnected")

        let context = try Context(ioThreads: 1)
        defer { context.shutdown() }
        func dealer(_ id: String) throws -> Socket {
            let socket = try Socket(context, type: .dealer)
            try socket.set(.routingID, Array(id.utf8))
            try socket.set(.linger, 0)
            try socket.set(.receiveHighWaterMark, 0)
            try socket.connect(endpoint)
            return socket
        }
        func decodedKinds(_ frames: [[UInt8]]) -> [MessageKind?] { frames.map { try? WireMessage(decoding: $0).kind } }

        // 2. A registered peer that abuses its registration. It keeps the lease of the cell it is
        // assigned (heartbeating) until the flood is over, so the sweep cannot end before.
        var rogueExpectedBad = 0
        var rogueReregisters = 0
        var rogueAssigned = 0
        var rogueSynced = false
        let rogue = try dealer("fuzz-rogue")
        defer { rogue.close() }
        let heartbeat = try WireMessage.heartbeat.encoded()
        // The answer to a request for this (never stored) artifact marks the end of the rogue's abuse.
        let syncDigest = ArtifactDigest(hex: String(repeating: "5a", count: 32))!
        func rogueReplies() {
            for frame in (try? Self.drain(rogue)) ?? [] {
                let message = try? WireMessage(decoding: frame)
                if message?.kind == .reregister { rogueReregisters += 1 }
                if message?.kind == .assign { rogueAssigned += 1 }
                if case .artifactUnavailable(let unavailable)? = message, unavailable.digest == syncDigest { rogueSynced = true }
            }
        }
        do {
            var frames = FuzzFrames(seed: Self.seed ^ 0x726F_6775, realCells: realCells)
            try rogue.send([WireMessage.ready(Wire.Ready(worker: WorkerID("fuzz-rogue"), incarnation: 1, pid: 1, slots: 1,
                                                          softwareVersion: "fuzz", host: "fuzz")).encoded()])
            // Registering grants no credit: it asks for its one cell.
            try rogue.send([WireMessage.credit(Wire.Credit(slots: 1)).encoded()])
            var welcomed = false
            let registered = eventually(timeout: 10) {
                let kinds = decodedKinds((try? Self.drain(rogue)) ?? [])
                rogueAssigned += kinds.filter { $0 == .assign }.count
                welcomed = welcomed || kinds.contains(.welcome)
                return welcomed && rogueAssigned > 0
            }
            #expect(registered, "the rogue is registered and holds a lease")
            func send(_ frame: [UInt8], bad: Bool) throws {
                try rogue.send([frame])
                try rogue.send([heartbeat])  // stays alive whatever the coordinator makes of the frame
                if bad { rogueExpectedBad += 1 }
                rogueReplies()
            }
            // Uploads that declare 1 TiB each: eight may be open per worker (1 MiB received and
            // written each), the other 32 are refused; a chunk out of order abandons its upload.
            let payload = [UInt8](repeating: 0xA5, count: WireFormat.artifactChunkBytes)
            let chunks = UInt32(WireFormat.maxArtifactBytes / UInt64(WireFormat.artifactChunkBytes))
            let huge = (0..<40).map { _ in frames.digest() }
            for (i, digest) in huge.enumerated() {
                let chunk = Wire.ArtifactChunk(digest: digest, totalBytes: WireFormat.maxArtifactBytes, index: 0, count: chunks, bytes: payload)
                try send(WireMessage.artifactUpload(chunk).encoded(), bad: i >= UploadTable.maxOpenUploadsPerWorker)
            }
            try send(WireMessage.artifactUpload(Wire.ArtifactChunk(digest: huge[0], totalBytes: WireFormat.maxArtifactBytes, index: 5,
                                                                   count: chunks, bytes: payload)).encoded(), bad: true)
            for _ in 0..<20 { try send(frames.badUpload(), bad: true) }
            for _ in 0..<20 { try send(frames.absurdReady(), bad: true) }
            for _ in 0..<20 {  // results and failures for cells not in the sweep
                try send(WireMessage.result([Wire.ResultReport(cell: frames.key(), lease: frames.random.next(), attempt: 1,
                                                              result: frames.result())]).encoded(), bad: true)
                try send(WireMessage.failure(Wire.FailureReport(cell: frames.key(), lease: frames.random.next(), attempt: 1,
                                                                reason: .badData, retryable: false, message: "forged")).encoded(), bad: true)
            }
            // Non-retryable failures of real cells under forged leases: stale, ignored (not bad, no effect).
            for _ in 0..<20 {
                try send(WireMessage.failure(Wire.FailureReport(cell: realCells[frames.random.nextInt(below: realCells.count)],
                                                                lease: frames.random.next(), attempt: 1, reason: .nonFinite,
                                                                retryable: false, message: "forged")).encoded(), bad: false)
            }
            for kind in [MessageKind.welcome, .assign, .ack, .cancel, .artifact, .reregister] {
                for _ in 0..<4 { try send(frames.message(kind).encoded(), bad: true) }
            }
            // Sync: the answer to a request for an artifact nobody stored comes after all of the above.
            try rogue.send([WireMessage.artifactRequest(Wire.ArtifactRequest(digest: syncDigest)).encoded()])
            let handled = eventually(timeout: 20) {
                rogueReplies()
                return rogueSynced
            }
            #expect(handled, "the rogue's abuse was handled")
        }
        let peakAfterRogue = Self.memoryKilobytes(coordinator.pid, "VmHWM")

        // 3. The flood: four strangers, round robin, blocking sends (back-pressure, nothing lost).
        var streams = (0..<Self.strangers).map { FuzzFrames(seed: Self.seed &+ UInt64($0), realCells: realCells) }
        let sockets = try (0..<Self.strangers).map { try dealer("fuzz-\($0)") }
        defer { for socket in sockets { socket.close() } }
        var expectedBad = 0, expectedReregisters = [Int](repeating: 0, count: Self.strangers)
        var receivedReregisters = [Int](repeating: 0, count: Self.strangers), otherReplies = 0
        var framesSent = 0, bytesSent = 0
        func collect(_ s: Int) throws {
            for kind in decodedKinds(try Self.drain(sockets[s])) {
                if kind == .reregister { receivedReregisters[s] += 1 } else { otherReplies += 1 }
            }
        }
        let floodStart = Date()
        var rogueHeartbeat = Date()
        for i in 0..<Self.framesPerStranger {
            if i % 64 == 0, Date().timeIntervalSince(rogueHeartbeat) > 0.1 {
                try rogue.send([heartbeat])
                rogueReplies()
                rogueHeartbeat = Date()
            }
            for s in 0..<Self.strangers {
                let parts = i == Self.framesPerStranger - 1 ? [try WireMessage.heartbeat.encoded()] : streams[s].next()
                switch FuzzFrames.expectation(parts) {
                case .bad: expectedBad += 1
                case .reregister: expectedReregisters[s] += 1
                case .ignored: break
                }
                try sockets[s].send(parts)
                framesSent += parts.count
                bytesSent += parts.reduce(0) { $0 + $1.count }
                if i % 256 == 0 { try collect(s) }
            }
        }
        let sentSeconds = Date().timeIntervalSince(floodStart)
        // The last message of each stranger is a heartbeat: its reregister says all before it was handled.
        let synced = eventually(timeout: 30) {
            for s in 0..<Self.strangers { try? collect(s) }
            if Date().timeIntervalSince(rogueHeartbeat) > 0.1, (try? rogue.send([heartbeat])) != nil { rogueHeartbeat = Date() }
            return receivedReregisters == expectedReregisters
        }
        let floodSeconds = Date().timeIntervalSince(floodStart)
        #expect(synced, "reregisters \(receivedReregisters), expected \(expectedReregisters)")
        #expect(otherReplies == 0, "strangers got only reregister (no ack, no assign)")
        let peakAfter = Self.memoryKilobytes(coordinator.pid, "VmHWM")
        let stillRunning = coordinator.isRunning
        #expect(stillRunning, "the sweep outlasted the flood (else the flood did not meet a running sweep)")

        // The rogue leaves: its lease goes back to the queue (no attempt counted) and the sweep can end.
        try rogue.send([WireMessage.shutdown(Wire.Shutdown(reason: "fuzz")).encoded()])
        try rogue.send([heartbeat])  // now a stranger: answered with reregister once all before is handled
        let left = eventually(timeout: 20) {
            rogueReplies()
            return rogueReregisters >= 1
        }
        #expect(left, "the rogue's frames were all handled")
        #expect(rogueReregisters == 1, "the rogue stayed registered (alive) until its shutdown")

        let outcome = coordinator.finish(timeout: 90)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("\(Self.cellCount)/\(Self.cellCount) done, 0 failed"), "\(outcome.standardOutput)")
        let reported = outcome.standardOutput.split(separator: "\n").last { $0.contains("bad frames dropped") }
            .flatMap { line in line.split(separator: ",").last { $0.contains("bad frames dropped") } }
            .flatMap { Int($0.split(separator: " ")[0]) } ?? -1
        #expect(reported == expectedBad + rogueExpectedBad,
                "coordinator counted \(reported); sent \(expectedBad) bad from strangers + \(rogueExpectedBad) from the rogue")

        // Results: the clean run's, row for row; one per cell; nothing failed.
        let rows = try Self.resultRows(url)
        #expect(rows == cleanRows, "results differ from the clean run")
        // (A cell is done when it has a result row; none failed, none has a stored error from a forged failure.)
        #expect(try db.connection.query("""
            SELECT count(*) FROM cells c LEFT JOIN results r ON r.cell_key = c.key
            WHERE r.cell_key IS NULL OR c.state = 'failed' OR c.last_error LIKE '%forged%'
            """, [])[0].decode(0, as: Int.self) == 0)

        // Log: bounded whatever the flood (a line per power of two of bad frames, not per frame).
        let lines = outcome.standardError.split(separator: "\n")
        let warnings = lines.filter { $0.contains(" warning ") }.count
        #expect(warnings <= 100, "\(warnings) warning lines for \(framesSent) frames")
        #expect(lines.count <= cleanLogLines + 100, "\(lines.count) log lines (clean run: \(cleanLogLines))")

        // The rogue's 41 one-MiB chunks may sit in libzmq's queue at once (≈ 40 MB); the four accepted
        // uploads hold the 4 MiB they received, not the 1 GiB they declared. The flood adds ~nothing.
        #expect(peakAfterRogue - peakBefore < 96 * 1024, "peak RSS grew by \(peakAfterRogue - peakBefore) kB during the rogue's abuse")
        #expect(peakAfter - peakAfterRogue < 32 * 1024, "peak RSS grew by \(peakAfter - peakAfterRogue) kB during the flood")
        let messages = Self.strangers * Self.framesPerStranger
        print("""
            fuzz: \(messages) messages (\(framesSent) frames, \(bytesSent) bytes) from \(Self.strangers) strangers in \
            \(String(format: "%.2f", sentSeconds)) s sent, \(String(format: "%.2f", floodSeconds)) s handled \
            (\(Int(Double(messages) / floodSeconds)) msg/s); bad: \(expectedBad) + rogue \(rogueExpectedBad) = \(reported) counted; \
            reregisters \(expectedReregisters.reduce(0, +)); oversized peers disconnected \(disconnected)/\(declared.count); \
            rogue assigned \(rogueAssigned) cell(s); VmHWM before \(peakBefore) kB, after rogue \(peakAfterRogue) kB, after flood \(peakAfter) kB; \
            log lines \(lines.count) (clean \(cleanLogLines)), warnings \(warnings)
            """)
    }
}
