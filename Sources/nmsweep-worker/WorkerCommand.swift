import ArgumentParser
import BuildInfo
import CommandSupport
import Foundation
import Logging
import NoisyCore
import SweepHTTP
import SweepKit
import SweepWorker
import StudyData

@main
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-worker",
        abstract: "Run cells for a coordinator: one cell per slot, results kept until acknowledged.",
        discussion: "Exit status: 0 stopped cleanly, 1 runtime error, 2 bad arguments.",
        version: BuildInfo.versionText(tool: "nmsweep-worker"))

    static func main() { mainExitingTwoOnUsageError() }

    @Option(help: "The coordinator's endpoint, tcp://HOST:PORT (e.g. tcp://127.0.0.1:5555).")
    var connect = "tcp://127.0.0.1:5555"

    @Option(help: "Cells run at once (one thread each); default: the number of cores.")
    var slots: Int?

    @Option(help: "Where model artifacts are cached (default: ~/.cache/nmsweep/worker).")
    var cacheDir: String?

    @Option(help: "Where the data sets are (default: NMSWEEP_DATA_DIR or ~/.cache/nmsweep/data).")
    var dataDir: String?

    @Option(help: "On SIGTERM: how long running cells may take before the worker leaves, in ms.")
    var graceMs: Int64 = 30_000

    @Option(help: "This worker's CURVE key pair, a .secret file from `nmsweep keygen` (default: NMSWEEP_CURVE_KEY). Needs --server-key.")
    var curveKey: String?

    @Option(help: "The coordinator's CURVE public key: its .pub file or the 40-character key (default: NMSWEEP_SERVER_KEY).")
    var serverKey: String?

    @Flag(help: "Run command cells: any program a grid names, as this worker's user, in a fresh folder with a clean environment (docs/security.md). Off by default.")
    var allowCommands = false

    @Option(help: "Tags for command cells' `requires:`, comma-separated (e.g. gpu,a100).")
    var tags: String?

    @Option(help: "The shared artifact folder (the coordinator's --artifact-dir, on a shared file system, mounted at any path here): models and command outputs are written there and read from there instead of crossing ZeroMQ.")
    var artifactDir: String?

    @Option(help: "Serve this worker's Prometheus /metrics on HOST:PORT (e.g. 127.0.0.1:9101; docs/http.md). Off by default.")
    var http: String?

    @Option(help: "A file holding the bearer token /metrics requires (required when --http is not a loopback address).")
    var httpTokenFile: String?

    @OptionGroup var logging: LogLevelOption

    /// `--tags` as a list (empty without it).
    var tagList: [String] {
        (tags ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        for tag in tagList {
            if let problem = Grid.workerTagProblem(tag) { throw ValidationError("--tags: \(problem)") }
        }
        // READY carries at most `maxCapabilities` entries: the baseline, `commands`, `artifact-dir/…`, one per tag.
        let tagLimit = WireFormat.maxCapabilities - 4
        if tagList.count > tagLimit { throw ValidationError("--tags: at most \(tagLimit) tags, not \(tagList.count)") }
        if tags != nil, !allowCommands { throw ValidationError("--tags matter only with --allow-commands (tags choose which command cells a worker runs)") }
        do { try EndpointArgument.checkConnect(connect) } catch { throw ValidationError(error.description) }
        if graceMs < 0 { throw ValidationError("--grace-ms must be 0 or more, not \(graceMs)") }
        if let slots, !(1...1024).contains(slots) { throw ValidationError("--slots must be in 1…1024, not \(slots)") }
        do { _ = try HTTPOptions(address: http, tokenFile: httpTokenFile) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        // A local worker's stderr may be a pipe to its coordinator: if that goes away, a log line
        // must fail quietly, not kill the worker (it reconnects to the next coordinator).
        signal(SIGPIPE, SIG_IGN)
        logging.bootstrap()
        let curve: WorkerCurve?
        do {
            curve = try WorkerCurve.resolve(curveKey: curveKey, serverKey: serverKey)
        } catch {
            FileHandle.standardError.write(Data("nmsweep-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // A handed-over secret key leaves the environment at once (also /proc/PID/environ):
        // nothing started later inherits it, and no one reading the process finds it.
        WorkerCurve.scrubHandedSecret()
        let cache = cacheDir ?? (NSHomeDirectory() + "/.cache/nmsweep/worker")
        var configuration = WorkerConfiguration(
            connect: connect, slots: slots ?? ProcessInfo.processInfo.activeProcessorCount, cacheDirectory: cache,
            dataDirectory: dataDir ?? DataCatalog.defaultDirectory(), shutdownGraceMilliseconds: graceMs, curve: curve)
        configuration.allowCommands = allowCommands
        configuration.tags = tagList
        if let artifactDir {
            // Checked now, naming the path: a folder missing or unwritable must not lose results later.
            do {
                _ = try ArtifactFolder.shared(at: artifactDir).identity()
            } catch {
                FileHandle.standardError.write(Data("nmsweep-worker: \(error)\n".utf8))
                throw ExitCode(2)
            }
            configuration.artifactDirectory = artifactDir
        }
        if allowCommands {
            Logger(label: "nmsweep.worker").notice("--allow-commands: this worker runs the programs its coordinator's grids name, as its own user\(tagList.isEmpty ? "" : " (tags: \(tagList.joined(separator: ",")))")")
        }
        if let curve { Logger(label: "nmsweep.worker").info("\(curve)") }
        let metricsServer: HTTPServer?
        do {
            metricsServer = try HTTPOptions(address: http, tokenFile: httpTokenFile).startMetrics(
                logger: Logger(label: "nmsweep.http"), histogramBuckets: ["nmsweep_worker_cell_seconds": WorkerMetrics.cellSecondsBuckets]) {
                WorkerMetrics.isEnabled = true
            }
        } catch {
            FileHandle.standardError.write(Data("nmsweep-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        defer { metricsServer?.stop() }
        if let metricsServer { Logger(label: "nmsweep.worker").info("metrics at \(metricsServer.address.url)/metrics") }
        let worker = Worker(configuration: configuration)
        Logger(label: "nmsweep.worker").info("\(BuildInfo.workerVersion): dialling the coordinator at \(connect) with \(configuration.slots) slots")
        let code = try worker.run()
        throw ExitCode(code)
    }
}
