import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SweepHTTP
import SweepStore

/// `nmsweep-bench dashboard`: what the HTTP side costs the coordinator. The no-op sweep of
/// `nmsweep-bench coordinator`, alternately without `--http` (the yardstick) and with `--http`
/// plus a client that GETs `/api/status`, `/api/workers` and `/metrics` every `--poll-ms`, in
/// one process; each run gets a fresh temporary database (cells are global by key, so a second
/// run in the same one would find its cells done). Prints the medians and their ratio.
struct DashboardBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "No-op cells/s through the coordinator with and without --http and a polling client (target: ≤ 5 % slower).")

    @Option(help: "No-op cells per run.")
    var cells = 100_000

    @Option(help: "Worker processes.")
    var workers = 2

    @Option(help: "Slots per worker.")
    var slots = 64

    @Option(help: "Runs of each kind (alternating, yardstick first).")
    var rounds = 3

    @Option(help: "The client's polling interval, ms.")
    var pollMs = 100

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        var plain: [Double] = [], polled: [Double] = [], requests = 0
        for round in 0..<rounds {
            let without = try BenchProcesses.withTemporaryDatabase("dashboard", durable: true) { try measure($0, sweep: "bench", http: false) }
            let with = try BenchProcesses.withTemporaryDatabase("dashboard", durable: true) { try measure($0, sweep: "bench", http: true) }
            plain.append(without.rate)
            polled.append(with.rate)
            requests += with.requests
            if !json {
                print("  round \(round + 1): \(Int(without.rate)) cells/s without, \(Int(with.rate)) with --http "
                      + "(\(with.requests) requests answered)")
            }
        }
        let (a, b) = (Self.median(plain), Self.median(polled))
        if json {
            print("{\"benchmark\": \"dashboard\", \"cells\": \(cells), \"workers\": \(workers), \"rounds\": \(rounds), \"poll_ms\": \(pollMs), "
                  + "\"cells_per_second_without\": \(Int(a)), \"cells_per_second_with\": \(Int(b)), \"ratio\": \(String(format: "%.3f", b / a)), "
                  + "\"requests\": \(requests)}")
        } else {
            print("dashboard: \(cells) no-op cells, \(workers) workers × \(slots) slots, \(rounds) rounds alternating; client every \(pollMs) ms")
            print("  median \(Int(a)) cells/s without --http, \(Int(b)) with: ratio \(String(format: "%.3f", b / a)) (target ≥ 0.95)")
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private func measure(_ endpoint: EmbeddedPostgres.Endpoint, sweep: String, http: Bool) throws -> (rate: Double, requests: Int) {
        let port = http ? try HTTPAddress.freeLoopbackPort() : 0
        let process = Process()
        process.executableURL = BenchProcesses.sibling("nmsweep-coordinator")
        process.arguments = ["--noop-cells", String(cells), "--name", sweep, "--database", endpoint.socketURL(),
                             "--bind", "tcp://127.0.0.1:*", "--local-workers", String(workers), "--worker-slots", String(slots),
                             "--progress", "quiet"] + (http ? ["--http", "127.0.0.1:\(port)"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let client = http ? Poller(base: "http://127.0.0.1:\(port)", intervalMilliseconds: pollMs) : nil
        client?.start()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let answered = client?.stop() ?? 0
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("sweep \(sweep):") }) else {
            throw ValidationError("the coordinator failed (exit \(process.terminationStatus)): \(text)")
        }
        // "sweep NAME: D/T done, F failed, A assigned, C results committed (…) in S s"
        let words = line.split(separator: " ")
        guard let inIndex = words.lastIndex(of: "in"), let seconds = Double(words[inIndex + 1]),
              let committedIndex = words.firstIndex(of: "results"), let committed = Int(words[committedIndex - 1]) else {
            throw ValidationError("cannot read the coordinator's summary: \(line)")
        }
        if http, answered == 0 { throw ValidationError("the client got no answer from the coordinator's --http") }
        return (Double(committed) / seconds, answered)
    }
}

/// A client polling the coordinator's API on a thread of its own until stopped; counts the 200s.
private final class Poller: @unchecked Sendable {
    // @unchecked Sendable: `running` and `answered` are read and written under `lock` only.
    private let lock = NSLock()
    private var running = true
    private var answered = 0
    private let done = DispatchSemaphore(value: 0)
    let base: String
    let intervalMilliseconds: Int

    init(base: String, intervalMilliseconds: Int) {
        self.base = base
        self.intervalMilliseconds = intervalMilliseconds
    }

    func start() {
        Thread { [self] in
            let paths = ["/api/status", "/api/workers", "/metrics"]
            var index = 0
            while isRunning {
                let started = Date()
                if get(base + paths[index % paths.count]) { lock.lock(); answered += 1; lock.unlock() }
                index += 1
                let left = Double(intervalMilliseconds) / 1000 - Date().timeIntervalSince(started)
                if left > 0 { Thread.sleep(forTimeInterval: left) }
            }
            done.signal()
        }.start()
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    /// Stops polling; returns the answers with status 200.
    func stop() -> Int {
        lock.lock()
        running = false
        lock.unlock()
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return answered
    }

    private func get(_ url: String) -> Bool {
        guard let address = URL(string: url) else { return false }
        let finished = DispatchSemaphore(value: 0)
        let ok = OKFlag()
        URLSession.shared.dataTask(with: URLRequest(url: address, timeoutInterval: 2)) { _, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200 { ok.set() }
            finished.signal()
        }.resume()
        _ = finished.wait(timeout: .now() + 3)
        return ok.value
    }
}

private final class OKFlag: @unchecked Sendable {
    // @unchecked Sendable: `flag` is read and written under `lock` only.
    private let lock = NSLock()
    private var flag = false
    func set() { lock.lock(); flag = true; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
