import ArgumentParser
import Foundation
import SweepStore

/// `nmsweep-bench coordinator`: no-op cells per second through the real runtime: a
/// `nmsweep-coordinator` process, `--workers` real `nmsweep-worker` processes over TCP loopback,
/// and a real (embedded, temporary) PostgreSQL; every result is committed before its ACK.
/// Also reports the coordinator's peak resident memory (VmHWM of /proc/<pid>/status).
struct CoordinatorBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "No-op cells/s through coordinator + workers + PostgreSQL (target ≥ 20,000 cells/s).")

    @Option(help: "No-op cells to run.")
    var cells = 200_000

    @Option(help: "Worker processes.")
    var workers = 2

    @Option(help: "Slots per worker.")
    var slots = 64

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try BenchProcesses.withTemporaryDatabase("coordinator", durable: true) { endpoint in try measure(endpoint) }
    }

    private func measure(_ endpoint: EmbeddedPostgres.Endpoint) throws {
        let process = Process()
        process.executableURL = BenchProcesses.sibling("nmsweep-coordinator")
        process.arguments = ["--noop-cells", String(cells), "--name", "bench", "--database", endpoint.socketURL(),
                             "--bind", "tcp://127.0.0.1:*", "--local-workers", String(workers), "--worker-slots", String(slots),
                             "--progress", "quiet"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Sample the coordinator's peak RSS while it runs (VmHWM is a high-water mark: the last read wins).
        var peakKiB = 0
        while process.isRunning {
            if let kib = Self.peakRSS(pid: process.processIdentifier) { peakKiB = kib }
            usleep(50_000)
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("sweep bench:") }) else {
            throw ValidationError("the coordinator failed (exit \(process.terminationStatus)): \(text)")
        }
        // "sweep bench: D/T done, F failed, A assigned, C results committed in S s"
        let words = line.split(separator: " ")
        guard let inIndex = words.lastIndex(of: "in"), let seconds = Double(words[inIndex + 1]),
              let committedIndex = words.firstIndex(of: "results"), let committed = Int(words[committedIndex - 1]) else {
            throw ValidationError("cannot read the coordinator's summary: \(line)")
        }
        let rate = Double(committed) / seconds
        if json {
            print("{\"benchmark\": \"coordinator\", \"cells\": \(committed), \"workers\": \(workers), \"slots\": \(slots), "
                  + "\"seconds\": \(seconds), \"cells_per_second\": \(Int(rate)), \"coordinator_peak_rss_kib\": \(peakKiB)}")
        } else {
            print("coordinator: \(committed) no-op cells, \(workers) workers × \(slots) slots, real PostgreSQL (commit before ack)")
            print("  \(String(format: "%.2f", seconds)) s from first dispatch to last commit: \(Int(rate)) cells/s (target ≥ 20,000)")
            print("  coordinator peak RSS (VmHWM): \(peakKiB / 1024) MiB")
        }
    }

    static func peakRSS(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}
