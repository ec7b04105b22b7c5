public import Foundation

/// Keeps `count` copies of one program running: starts them, restarts one that dies of a signal
/// or a non-zero exit (up to a budget of restarts in all), and stops them all — politely first,
/// then SIGTERM, then SIGKILL. The coordinator's `--local-workers` are run this way.
///
/// A copy that exits 0 is not restarted (it finished: a worker told SHUTDOWN by its coordinator).
/// A watcher thread looks every ``pollInterval`` seconds; `stop()` waits up to ``stopGrace``
/// seconds for the copies to exit on their own (they are told to by other means, e.g. SHUTDOWN),
/// then sends SIGTERM and waits as long again before SIGKILL.
///
/// `@unchecked Sendable`: every mutable field is touched only under `lock`.
public final class ProcessSupervisor: @unchecked Sendable {
    /// The program and its environment (the arguments come with ``start(arguments:)``).
    public let executable: URL
    public let environment: [String: String]
    /// Copies kept running.
    public let count: Int
    /// Restarts allowed in all.
    public let maxRestarts: Int
    /// Seconds between two looks at the copies.
    public var pollInterval = 0.2
    /// Seconds `stop()` waits at each of its two steps.
    public var stopGrace = 5.0

    /// Receives each whole line a copy writes to stderr (nil: the copies inherit this process's stderr).
    private let relayLine: (@Sendable (String) -> Void)?
    /// Told of each restart and each failure to start, as one sentence.
    private let report: @Sendable (String) -> Void
    private let lock = NSLock()
    private var processes: [Process] = []
    private var arguments: [String] = []
    /// Arguments only the first copies get (``start(arguments:leading:)``).
    private var leading: (count: Int, arguments: [String]) = (0, [])
    private var restartCount = 0
    private var stopping = false

    /// - Parameters:
    ///   - relayLine: where the copies' stderr lines go, if not to this process's stderr.
    ///   - report: where the supervisor's own messages go (restarts, failures to start).
    public init(executable: URL, environment: [String: String], count: Int, maxRestarts: Int,
                relayLine: (@Sendable (String) -> Void)? = nil, report: @escaping @Sendable (String) -> Void) {
        self.executable = executable
        self.environment = environment
        self.count = max(0, count)
        self.maxRestarts = max(0, maxRestarts)
        self.relayLine = relayLine
        self.report = report
    }

    /// Restarts so far.
    public var restarts: Int {
        lock.lock()
        defer { lock.unlock() }
        return restartCount
    }

    /// The process ids of the current copies (a copy that failed to start has none).
    public var processIdentifiers: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return processes.map(\.processIdentifier)
    }

    /// Copies running now.
    public var runningCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return processes.filter(\.isRunning).count
    }

    /// Starts the copies with `arguments`, and the watcher thread; the first `leading.count`
    /// copies (and their restarts) get `leading.arguments` too.
    public func start(arguments: [String], leading: (count: Int, arguments: [String]) = (0, [])) {
        guard count > 0 else { return }
        lock.lock()
        self.arguments = arguments
        self.leading = leading
        for i in 0..<count {
            if let process = launch(copy: i) { processes.append(process) }
        }
        lock.unlock()
        let watcher = Thread { [self] in watch() }
        watcher.name = "process-supervisor"
        watcher.start()
    }

    /// Stops watching; waits for the copies to exit, then SIGTERM, then SIGKILL (``stopGrace`` each).
    public func stop() {
        lock.lock()
        stopping = true
        let all = processes
        lock.unlock()
        let grace = stopGrace
        waitForExit(all, seconds: grace)
        for process in all where process.isRunning { process.terminate() }
        waitForExit(all, seconds: grace)
        for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        waitForExit(all, seconds: grace)
    }

    private func waitForExit(_ processes: [Process], seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        for process in processes {
            while process.isRunning && Date() < deadline { usleep(20_000) }
        }
    }

    /// Starts copy number `copy`; call with `lock` held.
    private func launch(copy: Int) -> Process? {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + (copy < leading.count ? leading.arguments : [])
        process.environment = environment
        let relay = relayLine.map { _ in Pipe() }
        if let relay { process.standardError = relay }
        do {
            try process.run()
            if let relay, let relayLine { Self.relay(relay.fileHandleForReading, to: relayLine) }
            return process
        } catch {
            report("cannot start \(executable.path): \(error)")
            return nil
        }
    }

    /// Copies whole lines from `handle` to `line` until end of file, on a thread of its own.
    private static func relay(_ handle: FileHandle, to line: @escaping @Sendable (String) -> Void) {
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                if let last = pending.lastIndex(of: UInt8(ascii: "\n")) {
                    line(String(decoding: pending[...last], as: UTF8.self))
                    pending.removeSubrange(...last)
                }
            }
            if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self) + "\n") }
        }
        thread.name = "process-output"
        thread.start()
    }

    /// Until ``stop()``: restarts copies that died unexpectedly.
    private func watch() {
        while true {
            usleep(UInt32(pollInterval * 1_000_000))
            lock.lock()
            defer { lock.unlock() }
            if stopping { return }
            for i in processes.indices where !processes[i].isRunning {
                let old = processes[i]
                let crashed = old.terminationReason == .uncaughtSignal || old.terminationStatus != 0
                guard crashed, restartCount < maxRestarts else { continue }
                restartCount += 1
                let how = old.terminationReason == .uncaughtSignal ? "killed by signal \(old.terminationStatus)" : "exit \(old.terminationStatus)"
                report("local worker pid \(old.processIdentifier) died (\(how)); starting another (restart \(restartCount) of at most \(maxRestarts))")
                if let process = launch(copy: i) { processes[i] = process }
            }
        }
    }
}
