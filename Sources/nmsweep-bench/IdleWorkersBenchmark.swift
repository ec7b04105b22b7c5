import ArgumentParser
import Foundation
import SweepKit
import SweepStore
import ZeroMQ

/// `nmsweep-bench idle`: what a large, quiet sweep costs the coordinator. A real
/// `nmsweep-coordinator` process registers `--cells` no-op cells in a real (embedded, temporary)
/// PostgreSQL and holds them queued; its resident memory is read then. Then `--workers` simulated
/// workers (DEALER sockets in this process, speaking the real protocol: READY, then only
/// heartbeats, never CREDIT, so no cell is dispatched) connect, and the coordinator's CPU time
/// (utime + stime of /proc/PID/stat) is measured over `--seconds`, against the same interval
/// before they connected.
struct IdleWorkersBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Coordinator memory with N queued cells; its CPU with W idle workers heartbeating (target < 5 % of a core for 1,000).")

    @Option(help: "No-op cells to register and keep queued.") var cells = 1_000_000
    @Option(help: "Simulated idle workers.") var workers = 1_000
    @Option(help: "Measurement interval, seconds (each of the two).") var seconds = 20.0
    @Option(help: "Heartbeat interval of coordinator and workers, ms.") var heartbeatMs = 1_000
    @Option(help: "TCP port of the coordinator (loopback).") var port = 5599
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        try BenchProcesses.withTemporaryDatabase("idle", durable: false) { endpoint in try measure(endpoint) }
    }

    private func measure(_ endpoint: EmbeddedPostgres.Endpoint) throws {
        let coordinator = Process()
        coordinator.executableURL = BenchProcesses.sibling("nmsweep-coordinator")
        coordinator.arguments = ["--noop-cells", String(cells), "--name", "idle", "--database", endpoint.socketURL(),
                                 "--bind", "tcp://127.0.0.1:\(port)", "--local-workers", "0", "--progress", "log",
                                 "--heartbeat-ms", String(heartbeatMs)]
        let errors = Pipe()
        coordinator.standardError = errors
        coordinator.standardOutput = FileHandle.nullDevice
        let log = LineCollector(errors.fileHandleForReading)
        let started = Date()
        try coordinator.run()
        defer {
            if coordinator.isRunning {
                coordinator.terminate()
                let deadline = Date().addingTimeInterval(20)
                while coordinator.isRunning && Date() < deadline { usleep(50_000) }
                if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) }
            }
        }
        let pid = coordinator.processIdentifier
        while !log.contains("listening on") {
            guard coordinator.isRunning, Date().timeIntervalSince(started) < 1_800 else {
                throw ValidationError("the coordinator did not start listening: \(log.text.suffix(2000))")
            }
            usleep(100_000)
        }
        let registerSeconds = Date().timeIntervalSince(started)
        usleep(500_000)
        let memory = Self.memoryKiB(pid: pid)

        BenchSupport.note("coordinator listening with \(cells) queued cells after \(BenchSupport.fixed(registerSeconds, 1)) s; "
                          + "RSS \(memory.rss / 1024) MiB; measuring \(seconds) s alone")
        let alone = try Self.cpuFraction(pid: pid, seconds: seconds)

        let simulation = try SimulatedWorkers(count: workers, endpoint: "tcp://127.0.0.1:\(port)", heartbeatMilliseconds: heartbeatMs)
        let warmUp = Date().addingTimeInterval(max(5, 3 * Double(heartbeatMs) / 1000))
        while Date() < warmUp { try simulation.pump(until: warmUp) }
        guard simulation.welcomed == workers else {
            throw ValidationError("only \(simulation.welcomed) of \(workers) simulated workers were welcomed")
        }
        BenchSupport.note("\(workers) simulated workers welcomed; measuring \(seconds) s")
        let before = Self.cpuTicks(pid: pid), receivedBefore = simulation.received
        let start = Date(), end = start.addingTimeInterval(seconds)
        let ownBefore = Self.cpuTicks(pid: getpid())
        while Date() < end { try simulation.pump(until: end) }
        let elapsed = Date().timeIntervalSince(start)
        let busy = Double(Self.cpuTicks(pid: pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / elapsed
        let own = Double(Self.cpuTicks(pid: getpid()) - ownBefore) / Double(sysconf(Int32(_SC_CLK_TCK))) / elapsed
        let heartbeatsPerWorker = Double(simulation.received - receivedBefore) / Double(workers) / elapsed
        let perCell = Double(memory.rss) * 1024 / Double(max(1, cells))

        if json {
            print("{\"benchmark\": \"idle\", \"cells\": \(cells), \"workers\": \(workers), \"register_seconds\": \(registerSeconds), "
                  + "\"coordinator_rss_kib\": \(memory.rss), \"coordinator_peak_rss_kib\": \(memory.peak), \"bytes_per_queued_cell\": \(Int(perCell)), "
                  + "\"cpu_alone\": \(alone), \"cpu_with_workers\": \(busy), \"simulator_cpu\": \(own), "
                  + "\"coordinator_messages_per_worker_per_second\": \(heartbeatsPerWorker)}")
        } else {
            print("idle: \(cells) queued no-op cells, \(workers) simulated idle workers, heartbeat \(heartbeatMs) ms, real PostgreSQL")
            print("  registering the cells took \(BenchSupport.fixed(registerSeconds, 1)) s")
            print("  coordinator memory with them queued: RSS \(memory.rss / 1024) MiB (peak \(memory.peak / 1024) MiB) = \(Int(perCell)) bytes per queued cell")
            print("  coordinator CPU alone: \(BenchSupport.fixed(100 * alone, 2)) % of a core; with \(workers) workers: \(BenchSupport.fixed(100 * busy, 2)) % (target < 5 %)")
            print("  each worker heard from the coordinator \(BenchSupport.fixed(heartbeatsPerWorker, 2)) times/s; the simulator itself used \(BenchSupport.fixed(100 * own, 1)) % of a core")
        }
    }

    /// Fraction of one core the process used over `seconds`.
    static func cpuFraction(pid: Int32, seconds: Double) throws -> Double {
        let before = cpuTicks(pid: pid), start = Date()
        Thread.sleep(forTimeInterval: seconds)
        return Double(cpuTicks(pid: pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / Date().timeIntervalSince(start)
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
    static func cpuTicks(pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12 else { return 0 }
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// VmRSS and VmHWM in KiB.
    static func memoryKiB(pid: Int32) -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        var rss = 0, peak = 0
        for line in status.split(separator: "\n") {
            let value = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            if line.hasPrefix("VmRSS:") { rss = value }
            if line.hasPrefix("VmHWM:") { peak = value }
        }
        return (rss, peak)
    }
}

/// Idle workers on one thread: each a DEALER that sends READY, then a heartbeat every interval,
/// and never asks for work.
final class SimulatedWorkers {
    let context: Context
    let sockets: [Socket]
    let poller = Poller()
    let heartbeat: [UInt8]
    let interval: Double
    var nextBeat = Date()
    private(set) var welcomed = 0
    private(set) var received = 0

    init(count: Int, endpoint: String, heartbeatMilliseconds: Int) throws {
        context = try Context(ioThreads: 1, maxSockets: count + 16)
        var sockets: [Socket] = []
        for i in 0..<count {
            let socket = try Socket(context, type: .dealer)
            let id = WorkerID(bytes: Array("idle-sim-\(getpid())-\(i)".utf8))
            try socket.set(.routingID, id.bytes)
            try socket.set(.linger, Int32(0))
            try socket.connect(endpoint)
            let ready = Wire.Ready(worker: id, incarnation: UInt64(i + 1), pid: UInt32(getpid()), slots: 1,
                                   softwareVersion: "nmsweep-bench-idle/1", host: "simulated", capabilities: ["noop", Wire.Ready.resultFormatCapability], artifacts: [])
            let frame = try WireMessage.ready(ready).encoded()
            _ = try frame.withUnsafeBytes { try socket.send(bytes: $0, dontWait: true) }
            _ = try poller.register(socket)
            sockets.append(socket)
        }
        self.sockets = sockets
        heartbeat = try WireMessage.heartbeat.encoded()
        interval = Double(heartbeatMilliseconds) / 1000
        nextBeat = Date().addingTimeInterval(interval)
    }

    /// Receives and beats until `deadline`.
    func pump(until deadline: Date) throws {
        let wait = max(0, min(nextBeat, deadline).timeIntervalSinceNow)
        for ready in try poller.poll(timeout: Int(wait * 1000)) {
            while let frames = try sockets[ready.index].receiveMultipart(dontWait: true) {
                received += 1
                if let frame = frames.last, case .welcome? = try? WireMessage(decoding: frame) { welcomed += 1 }
            }
        }
        if Date() >= nextBeat {
            for socket in sockets {
                _ = try heartbeat.withUnsafeBytes { try socket.send(bytes: $0, dontWait: true) }
            }
            nextBeat = nextBeat.addingTimeInterval(interval)
        }
    }
}

/// Collects a pipe's text on a background thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                lock.unlock()
            }
        }.start()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    func contains(_ needle: String) -> Bool { text.contains(needle) }
}
