import ArgumentParser
import Foundation
import Logging
import NoisyCore
import SweepCoordinator
import SweepKit
import SweepStore

@main
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-coordinator",
        abstract: "Expand a grid into cells and shard them over ZeroMQ to workers; results land in PostgreSQL.",
        discussion: "Exit status: 0 all cells done, 1 some cells failed, 2 bad arguments or grid, 3 stopped by a signal.")

    @Option(help: "The grid file (YAML, docs/grid.md).")
    var grid: String?

    @Option(help: "The sweep's name (default: the grid's name:, else the file's base name).")
    var name: String?

    @Option(help: "PostgreSQL URL (default: DATABASE_URL / PG* variables, else the embedded server in --state-dir).")
    var database: String?

    @Option(help: "The ROUTER endpoint workers connect to.")
    var bind = "tcp://127.0.0.1:5555"

    @Option(help: "Start this many nmsweep-worker processes on this machine (stopped at the end).")
    var localWorkers = 0

    @Option(help: "Slots of each local worker (default: cores ÷ local workers, at least 1).")
    var workerSlots: Int?

    @Option(help: "State folder of the embedded PostgreSQL.")
    var stateDir: String?

    @Option(help: "Heartbeat interval, ms.")
    var heartbeatMs: Int64 = 1_000

    @Option(help: "A worker silent for liveness × heartbeat is dead.")
    var liveness = 3

    @Option(help: "Attempts per cell before it fails (default: the grid's max_attempts).")
    var maxAttempts: Int?

    @Option(help: "Progress output: auto (a live line on a terminal, log lines otherwise), line, log, quiet.")
    var progress = "auto"

    @Option(help: "The coordinator's CURVE key pair, a .secret file from `nmsweep keygen` (default: NMSWEEP_CURVE_KEY). Needs --allow-keys.")
    var curveKey: String?

    @Option(help: "Worker public keys admitted: a file, one key per line, or a directory of *.pub files (default: NMSWEEP_ALLOW_KEYS).")
    var allowKeys: String?

    @Option(help: "A limit on one attempt's run time, ms: a cell still running after it is cancelled and its attempt counted as failed (default: none).")
    var cellTimeoutMs: Int64?

    @Option(help: "Refuse a grid of more cells than this, before expanding it (exit 2).")
    var maxCells = SweepPlan.defaultMaxCells

    @Option(help: .hidden) var resultBacklogLimit: Int?
    @Option(help: .hidden) var shutdownGraceMs: Int64?
    @Option(help: .hidden) var logIntervalS: Double?

    @Option(help: .hidden) var noopCells: Int?
    @Option(help: .hidden) var noopSleepMs = 0
    /// `INDEX:FAULT` (crash, hang, error, nonFinite), repeatable: fault injection for tests.
    @Option(help: .hidden) var noopFault: [String] = []
    @Option(help: .hidden) var workerArgument: [String] = []

    func validate() throws {
        guard (grid == nil) != (noopCells == nil) else { throw ValidationError("give --grid FILE") }
        guard localWorkers >= 0, liveness >= 1, heartbeatMs >= 1 else { throw ValidationError("--local-workers, --liveness and --heartbeat-ms must be positive") }
        if let cellTimeoutMs, cellTimeoutMs < 1 { throw ValidationError("--cell-timeout-ms must be positive, not \(cellTimeoutMs)") }
        if let resultBacklogLimit, resultBacklogLimit < 1 { throw ValidationError("--result-backlog-limit must be positive") }
        guard maxCells >= 1 else { throw ValidationError("--max-cells must be positive, not \(maxCells)") }
    }

    func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let plan: SweepPlan
        do {
            if let grid {
                plan = try SweepPlan.grid(path: grid, name: name, maxCells: maxCells) { line in
                    FileHandle.standardError.write(Data("nmsweep-coordinator: \(line)\n".utf8))
                }
            } else {
                var faults: [Int: TestFault] = [:]
                for text in noopFault {
                    let parts = text.split(separator: ":")
                    guard parts.count == 2, let index = Int(parts[0]), let fault = TestFault(rawValue: String(parts[1])) else {
                        throw ValidationError("--noop-fault takes INDEX:FAULT with FAULT one of \(TestFault.allCases.map(\.rawValue)), not \(text)")
                    }
                    faults[index] = fault
                }
                plan = try SweepPlan.noop(name: name ?? "noop-\(noopCells!)-\(Int(Date().timeIntervalSince1970))", count: noopCells!,
                                          sleepMilliseconds: noopSleepMs, faults: faults, maxCells: maxCells)
            }
        } catch let error as GridError {
            FileHandle.standardError.write(Data("nmsweep-coordinator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let mode: CoordinatorConfiguration.ProgressMode
        switch progress {
        case "line": mode = .line
        case "log": mode = .log
        case "quiet": mode = .quiet
        default: mode = .automatic
        }
        var curve: CoordinatorCurve?
        var workerEnvironment: [String: String] = [:]
        do {
            curve = try CurveOptions.resolve(curveKey: curveKey, allowKeys: allowKeys)
            if localWorkers > 0, curve != nil { workerEnvironment = try curve!.admitLocalWorkers() }
        } catch {
            FileHandle.standardError.write(Data("nmsweep-coordinator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var configuration = CoordinatorConfiguration(bind: bind, heartbeatMilliseconds: heartbeatMs, liveness: liveness,
                                                     maxAttempts: maxAttempts, progress: mode, curve: curve,
                                                     cellTimeoutMilliseconds: cellTimeoutMs)
        if let resultBacklogLimit { configuration.resultBacklogLimit = resultBacklogLimit }
        if let shutdownGraceMs { configuration.shutdownGraceMilliseconds = shutdownGraceMs }
        if let logIntervalS { configuration.logIntervalSeconds = logIntervalS }
        let db = try StoreLocation.resolve(database: database, stateDirectory: stateDir).open()
        let coordinator = Coordinator(plan: plan, database: db, configuration: configuration)
        let workers = LocalWorkers(count: localWorkers,
                                   slots: workerSlots ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, localWorkers)),
                                   extraArguments: workerArgument, environment: workerEnvironment)
        coordinator.onBound = { endpoint in workers.start(connect: endpoint) }
        let outcome: CoordinatorOutcome
        do {
            outcome = try coordinator.run()
        } catch {
            workers.stop()
            throw error
        }
        workers.stop()

        print("sweep \(plan.name): \(outcome.done)/\(outcome.total) done, \(outcome.failed) failed, \(outcome.assigned) assigned, "
              + "\(outcome.committed) results committed in \(String(format: "%.2f", outcome.seconds)) s"
              + (outcome.badFrames > 0 ? ", \(outcome.badFrames) bad frames dropped" : "")
              + (outcome.refusedConnections > 0 ? ", \(outcome.refusedConnections) connections refused" : ""))
        if !outcome.databaseReachable {
            print("the database is away: this summary is the coordinator's own count; the report is left for `nmsweep report`")
        } else if plan.cells.contains(where: { if case .evaluate = $0.spec { return true } else { return false } }) {
            let sweep = try db.requireSweep(named: plan.name)
            print(ReportRenderer.plainText(try db.report(sweep: sweep)))
        }
        for failure in outcome.failures {
            print("failed \(failure.key.prefix(12)): \(failure.error)")
        }
        throw ExitCode(outcome.exitCode)
    }
}

/// Worker processes started next to the coordinator (`--local-workers`), from the same directory
/// as this executable; stopped (SIGTERM, then SIGKILL after 5 s) at the end.
///
/// A worker that dies unexpectedly (killed by a signal, or a non-zero exit: a cell that crashes
/// its process) is started again within 200 ms, at most ``maxRestarts`` times in all, so a cell that
/// crashes its worker every time uses up its attempts and fails instead of leaving the sweep
/// without workers. A worker that exits 0 (SHUTDOWN, drain) is not restarted.
final class LocalWorkers: @unchecked Sendable {
    let count: Int
    let slots: Int
    let extraArguments: [String]
    /// This process's environment without the database credentials and the coordinator's own
    /// key settings, plus `handOver` (a local worker's CURVE secret: the environment, never argv).
    let environment: [String: String]
    /// Restarts allowed in all (10 per worker).
    let maxRestarts: Int
    private var processes: [Process] = []
    private var restarts = 0
    private var stopping = false
    private var executable: URL?
    private var arguments: [String] = []
    private let lock = NSLock()

    init(count: Int, slots: Int, extraArguments: [String], environment handOver: [String: String] = [:]) {
        self.count = count
        self.slots = slots
        self.extraArguments = extraArguments
        // Only the coordinator holds database credentials; a worker never needs them.
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !(name == "DATABASE_URL" || name.hasPrefix("PG") || name == CurveOptions.keyFileVariable
              || name == CurveOptions.allowKeysVariable || name == CoordinatorCurve.workerSecretVariable
              || name == CoordinatorCurve.serverKeyVariable)
        }
        environment.merge(handOver) { _, new in new }
        self.environment = environment
        maxRestarts = 10 * count
    }

    func start(connect: String) {
        guard count > 0 else { return }
        let directory = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                            ?? CommandLine.arguments[0]).deletingLastPathComponent()
        let executable = directory.appendingPathComponent("nmsweep-worker")
        lock.lock()
        self.executable = executable
        arguments = ["--connect", connect, "--slots", String(slots)] + extraArguments
        for _ in 0..<count {
            if let process = launch() { processes.append(process) }
        }
        lock.unlock()
        let monitor = Thread { [self] in watch() }
        monitor.name = "local-workers"
        monitor.start()
    }

    /// Starts one worker; call with `lock` held.
    private func launch() -> Process? {
        guard let executable else { return nil }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        do {
            try process.run()
            return process
        } catch {
            FileHandle.standardError.write(Data("nmsweep-coordinator: cannot start \(executable.path): \(error)\n".utf8))
            return nil
        }
    }

    /// Every 200 ms until ``stop()``: restarts workers that died unexpectedly.
    private func watch() {
        while true {
            usleep(200_000)
            lock.lock()
            defer { lock.unlock() }
            if stopping { return }
            for i in processes.indices where !processes[i].isRunning {
                let old = processes[i]
                let crashed = old.terminationReason == .uncaughtSignal || old.terminationStatus != 0
                guard crashed, restarts < maxRestarts else { continue }
                restarts += 1
                let how = old.terminationReason == .uncaughtSignal ? "killed by signal \(old.terminationStatus)" : "exit \(old.terminationStatus)"
                FileHandle.standardError.write(Data(("nmsweep-coordinator: local worker pid \(old.processIdentifier) died (\(how)); "
                    + "starting another (restart \(restarts) of at most \(maxRestarts))\n").utf8))
                if let process = launch() { processes[i] = process }
            }
        }
    }

    func stop() {
        lock.lock()
        stopping = true
        let all = processes
        lock.unlock()
        let deadline = Date().addingTimeInterval(5)
        for process in all {
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate() }
        }
        let killDeadline = Date().addingTimeInterval(5)
        for process in all {
            while process.isRunning && Date() < killDeadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }
}
