import ArgumentParser
import BuildInfo
import CommandSupport
import Foundation
import Logging
import NoisyCore
import Postgres
import SweepCoordinator
import SweepDashboard
import SweepHTTP
import SweepKit
import SweepStore
import SweepRuntime

@main
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-coordinator",
        abstract: "Expand a grid into cells and shard them over ZeroMQ to workers; results land in PostgreSQL.",
        discussion: "Exit status: 0 all cells done, 1 some cells failed, 2 bad arguments or grid, or the sweep is being run by another coordinator; 3 stopped by a signal.",
        version: BuildInfo.versionText(tool: "nmsweep-coordinator"))

    static func main() { mainExitingTwoOnUsageError() }

    enum Progress: String, ExpressibleByArgument, CaseIterable { case auto, line, log, quiet }

    @Option(help: "The grid file (YAML, docs/grid.md).")
    var grid: String?

    @Option(help: "The sweep's name (default: the grid's name:, else the file's base name).")
    var name: String?

    @Option(help: "PostgreSQL URL (default: DATABASE_URL / PG* variables, else the embedded server in --state-dir).")
    var database: String?

    @Option(help: "The ROUTER endpoint workers connect to: tcp://ADDRESS:PORT (PORT 1…65535, or * or 0 for a free one).")
    var bind = "tcp://127.0.0.1:5555"

    @Option(help: "Start this many nmsweep-worker processes on this machine (stopped at the end).")
    var localWorkers = 0

    @Option(help: "How many of the local workers run command cells (--allow-commands; docs/security.md); default: 1 when the grid has an extract: section, else 0.")
    var localCommandWorkers: Int?

    @Option(help: "Slots of each local worker, 1…\(WireFormat.maxSlots) (default: cores ÷ local workers, at least 1).")
    var workerSlots: Int?

    @Option(help: "State folder of the embedded PostgreSQL (default: NMSWEEP_STATE_DIR, /var/lib/nmsweep for root, else ~/.local/state/nmsweep).")
    var stateDir: String?

    @Option(help: "Heartbeat interval, ms (1…3600000).")
    var heartbeatMs: Int64 = 1_000

    @Option(help: "A worker silent for liveness × heartbeat is dead (1…\(WireFormat.maxLiveness)).")
    var liveness = 3

    @Option(help: "Attempts per cell before it fails, 1…100 (default: the grid's max_attempts).")
    var maxAttempts: Int?

    @Option(help: "Progress output: auto (a live line on a terminal, log lines otherwise), line, log, quiet.")
    var progress: Progress = .auto

    @Option(help: "The coordinator's CURVE key pair, a .secret file from `nmsweep keygen` (default: NMSWEEP_CURVE_KEY). Needs --allow-keys.")
    var curveKey: String?

    @Option(help: "Worker public keys admitted: a file, one key per line, or a directory of *.pub files (default: NMSWEEP_ALLOW_KEYS).")
    var allowKeys: String?

    @Option(help: "A limit on one attempt's run time, ms: a cell still running after it is cancelled and its attempt counted as failed (default: none).")
    var cellTimeoutMs: Int64?

    @Option(help: "A shared artifact folder (on a file system every worker node mounts, at any path): artifacts are stored there as files instead of in the database, and workers started with --artifact-dir read and write them there directly (docs/grid.md, \"Artifacts\").")
    var artifactDir: String?

    @Option(help: "Serve the live page, the JSON API and Prometheus /metrics on HOST:PORT (e.g. 127.0.0.1:8080; docs/http.md). Off by default.")
    var http: String?

    @Option(help: "A file holding the bearer token HTTP clients must send (required when --http is not a loopback address).")
    var httpTokenFile: String?

    @OptionGroup var logging: LogLevelOption

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
        guard localWorkers >= 0 else { throw ValidationError("--local-workers must be 0 or more, not \(localWorkers)") }
        if let localCommandWorkers, !(0...localWorkers).contains(localCommandWorkers) {
            throw ValidationError("--local-command-workers must be in 0…\(localWorkers) (the local workers), not \(localCommandWorkers)")
        }
        if let workerSlots, !(1...Int(WireFormat.maxSlots)).contains(workerSlots) {
            throw ValidationError("--worker-slots must be in 1…\(WireFormat.maxSlots), not \(workerSlots)")
        }
        guard (1...Int(WireFormat.maxLiveness)).contains(liveness) else {
            throw ValidationError("--liveness must be in 1…\(WireFormat.maxLiveness) (heartbeats missed before a worker is dead), not \(liveness)")
        }
        guard (1...3_600_000).contains(heartbeatMs) else { throw ValidationError("--heartbeat-ms must be in 1…3600000, not \(heartbeatMs)") }
        if let maxAttempts, !(1...100).contains(maxAttempts) {
            throw ValidationError("--max-attempts must be in 1…100 (1: no retry), not \(maxAttempts)")
        }
        do { try EndpointArgument.checkBind(bind) } catch { throw ValidationError(error.description) }
        if let cellTimeoutMs, cellTimeoutMs < 1 { throw ValidationError("--cell-timeout-ms must be positive, not \(cellTimeoutMs)") }
        if let resultBacklogLimit, resultBacklogLimit < 1 { throw ValidationError("--result-backlog-limit must be positive") }
        if let noopCells, noopCells < 0 { throw ValidationError("--noop-cells must be 0 or more") }
        guard maxCells >= 1 else { throw ValidationError("--max-cells must be positive, not \(maxCells)") }
        do { _ = try HTTPOptions(address: http, tokenFile: httpTokenFile) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        logging.bootstrap { LiveLine.standardError.log($0) }
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
        case .line: mode = .line
        case .log: mode = .log
        case .quiet: mode = .quiet
        case .auto: mode = .automatic
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
        if let artifactDir {
            // Checked now, naming the path: a folder missing or unwritable must not lose results later.
            do {
                let folder = try ArtifactFolder.shared(at: artifactDir)
                configuration.artifactFolderIdentity = try folder.identity()
                configuration.artifactFolder = folder
            } catch {
                FileHandle.standardError.write(Data("nmsweep-coordinator: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let location = StoreLocation.resolve(database: database, stateDirectory: stateDir)
        let whereabouts = ResultsWhereabouts(location: location, sweep: plan.name, explicitStateDirectory: stateDir)
        let db: SweepDatabase
        do {
            db = try location.open()
        } catch {
            throw CommandFailure("cannot open the results database (\(whereabouts.place)): \(error)")
        }
        // The embedded server this coordinator uses is restarted if it dies (EmbeddedSupervisor).
        var supervisor: EmbeddedSupervisor?
        if case .embedded(let directory) = location {
            supervisor = EmbeddedSupervisor(server: EmbeddedPostgres(stateDirectory: directory), logger: Logger(label: "nmsweep.coordinator"))
            supervisor?.start()
        }
        defer { supervisor?.stop() }
        let isGrid = plan.cells.contains(where: { if case .evaluate = $0.spec { return true } else { return false } })
        LiveLine.standardError.log("nmsweep-coordinator: results go to \(whereabouts.place); read them with: \(whereabouts.reportCommand)\n")
        let httpServer = try HTTPOptions(address: http, tokenFile: httpTokenFile).startDashboard(
            sweep: plan.name, configuration: &configuration, location: location)
        defer { httpServer?.stop() }
        let coordinator = Coordinator(plan: plan, database: db, configuration: configuration)
        let hasCommands = plan.cells.contains { $0.spec.workerRequirement != nil }
        let workers = LocalWorkers(count: localWorkers, commandWorkers: localCommandWorkers ?? (hasCommands ? min(1, localWorkers) : 0),
                                   slots: workerSlots ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, localWorkers)),
                                   extraArguments: workerArgument + ["--log-level", logging.logLevel.rawValue]
                                       + (artifactDir.map { ["--artifact-dir", $0] } ?? []),
                                   environment: workerEnvironment,
                                   relayOutput: mode == .line || (mode == .automatic && isatty(2) != 0))
        coordinator.onBound = { endpoint in workers.start(connect: endpoint) }
        let outcome: CoordinatorOutcome
        do {
            outcome = try coordinator.run()
        } catch let owned as SweepOwnedElsewhere {
            workers.stop()
            FileHandle.standardError.write(Data("nmsweep-coordinator: \(owned)\n".utf8))
            throw ExitCode(2)
        } catch {
            workers.stop()
            throw error
        }
        workers.stop()

        if let finished = outcome.previouslyFinishedAt {
            print("nothing to run: sweep \(plan.name) finished at \(finished) (\(outcome.done) of \(outcome.total) cells done, "
                  + "\(outcome.failed) failed)\(isGrid ? "; its report is below" : ""). Use --name NEW for a new sweep, or add points to the grid.")
        }
        print("sweep \(plan.name): \(outcome.done)/\(outcome.total) done, \(outcome.failed) failed, \(outcome.assigned) assigned, "
              + "\(outcome.committed) results committed (\(outcome.inserted) stored by this run, \(outcome.committed - outcome.inserted) already present) "
              + "in \(String(format: "%.2f", outcome.seconds)) s"
              + (outcome.badFrames > 0 ? ", \(outcome.badFrames) bad frames dropped" : "")
              + (outcome.refusedConnections > 0 ? ", \(outcome.refusedConnections) connections refused" : ""))
        if outcome.dropped.total > 0 {
            print("note: \(outcome.dropped.total) cells no longer in the grid left the sweep (\(outcome.dropped.evaluate) evaluate, "
                  + "\(outcome.dropped.pretrain) pretrain); their \(outcome.dropped.withResults) results stay in the database but not in this sweep's report")
        }
        if outcome.interrupted {
            print("PARTIAL: stopped by a signal with \(outcome.done) of \(outcome.total) cells done"
                  + (isGrid && outcome.databaseReachable ? "; the report below covers only the cells done so far." : "."))
            print("to resume, run the same command again (done cells are kept, nothing reruns): \(ResultsWhereabouts.shellCommand(CommandLine.arguments))")
        }
        if !outcome.databaseReachable {
            print("the database is away: this summary is the coordinator's own count; the report is left for `nmsweep report`")
        } else if isGrid {
            let sweep = try db.requireSweep(named: plan.name)
            print(ReportRenderer.plainText(try db.report(sweep: sweep)))
        }
        for failure in outcome.failures {
            print("failed \(failure.key.prefix(12)): \(failure.error)")
        }
        print("results: \(whereabouts.place); read them with: \(whereabouts.reportCommand)")
        if let server = whereabouts.embeddedServerNote() { print(server) }
        throw ExitCode(outcome.exitCode)
    }
}

/// Where a sweep's results are, and the exact commands that read them and stop the server.
struct ResultsWhereabouts {
    let location: StoreLocation
    let sweep: String
    let explicitStateDirectory: String?

    /// `nmsweep`, as a path next to this executable when it was started by path.
    static var tool: String {
        let me = CommandLine.arguments.first ?? "nmsweep-coordinator"
        guard let slash = me.lastIndex(of: "/") else { return "nmsweep" }
        return shellQuote(String(me[...slash]) + "nmsweep")
    }

    /// The options that point a reading tool at the same database (never a password).
    var storeArguments: String {
        switch location {
        case .url(let url): return " --database " + Self.shellQuote(PostgresRedaction.redact(url))
        case .environment: return ""
        case .embedded(let directory):
            if explicitStateDirectory == nil, ProcessInfo.processInfo.environment["NMSWEEP_STATE_DIR"] == nil { return "" }
            return " --state-dir " + Self.shellQuote(EmbeddedPostgres(stateDirectory: directory).stateDirectory)
        }
    }

    var place: String {
        switch location {
        case .url(let url): return "the PostgreSQL database \(PostgresRedaction.redact(url))"
        case .environment: return "the PostgreSQL database named by DATABASE_URL / PG* variables"
        case .embedded(let directory):
            return "the embedded PostgreSQL in \(EmbeddedPostgres(stateDirectory: directory).stateDirectory)"
        }
    }

    var reportCommand: String { "\(Self.tool) report --sweep \(Self.shellQuote(sweep))\(storeArguments)" }

    /// For the embedded server: that it keeps running, where, and how to stop it.
    func embeddedServerNote() -> String? {
        guard case .embedded(let directory) = location else { return nil }
        let server = EmbeddedPostgres(stateDirectory: directory)
        guard let endpoint = try? server.status() else { return nil }
        return "the embedded PostgreSQL keeps running (port \(endpoint.port), state folder \(server.stateDirectory)) so results stay queryable; "
            + "stop it with: \(Self.tool) db stop\(storeArguments)"
    }

    static func shellQuote(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./:=@%+,".unicodeScalars.contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line to print: quoted for the shell, passwords masked (a `--database` URL may hold one).
    static func shellCommand(_ arguments: [String]) -> String {
        arguments.map { shellQuote(PostgresRedaction.redact($0)) }.joined(separator: " ")
    }
}

/// Worker processes started next to the coordinator (`--local-workers`), from the same directory
/// as this executable, kept running by a ``ProcessSupervisor`` and stopped at the end (they get
/// SHUTDOWN from the coordinator; SIGTERM after 5 s, SIGKILL 5 s later).
///
/// A worker that dies unexpectedly (killed by a signal, or a non-zero exit: a cell that crashes
/// its process) is started again within 200 ms, at most 10 times per worker in all, so a cell that
/// crashes its worker every time uses up its attempts and fails instead of leaving the sweep
/// without workers. A worker that exits 0 (SHUTDOWN, drain) is not restarted.
struct LocalWorkers {
    let slots: Int
    let extraArguments: [String]
    /// The first this many workers get `--allow-commands`.
    let commandWorkers: Int
    let supervisor: ProcessSupervisor

    /// - Parameters:
    ///   - handOver: added to the workers' environment (a local worker's CURVE secret: the
    ///     environment, never argv), which is this process's without the database credentials and
    ///     the coordinator's own key settings.
    ///   - relayOutput: whether the workers' stderr goes through ``LiveLine`` (a live progress line
    ///     is shown), so their log lines appear above the line instead of glued to it.
    init(count: Int, commandWorkers: Int = 0, slots: Int, extraArguments: [String], environment handOver: [String: String] = [:],
         relayOutput: Bool = false) {
        self.slots = slots
        self.commandWorkers = commandWorkers
        self.extraArguments = extraArguments
        // Only the coordinator holds database credentials; a worker never needs them.
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !(name == "DATABASE_URL" || name.hasPrefix("PG") || name == CurveOptions.keyFileVariable
              || name == CurveOptions.allowKeysVariable || name == CoordinatorCurve.workerSecretVariable
              || name == CoordinatorCurve.serverKeyVariable)
        }
        environment.merge(handOver) { _, new in new }
        let directory = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                            ?? CommandLine.arguments[0]).deletingLastPathComponent()
        var relay: (@Sendable (String) -> Void)?
        if relayOutput { relay = { line in LiveLine.standardError.log(line) } }
        let report: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("nmsweep-coordinator: \(message)\n".utf8))
        }
        supervisor = ProcessSupervisor(executable: directory.appendingPathComponent("nmsweep-worker"), environment: environment,
                                       count: count, maxRestarts: 10 * count, relayLine: relay, report: report)
    }

    /// Starts the workers, connecting to `connect`.
    func start(connect: String) {
        supervisor.start(arguments: ["--connect", connect, "--slots", String(slots)] + extraArguments,
                         leading: (commandWorkers, ["--allow-commands"]))
    }

    func stop() { supervisor.stop() }
}
