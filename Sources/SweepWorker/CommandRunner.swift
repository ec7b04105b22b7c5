import Foundation
import NoisyCore
package import SweepKit
import SweepRuntime

/// Runs command cells on a worker started with `--allow-commands` (docs/grid.md "Command cells",
/// docs/security.md "Command cells").
///
/// Each attempt runs in a fresh folder (`<cache>/commands/<cell>-<attempt>-<random>/` holding
/// `work/` — the current folder and `HOME` — `out/` and `tmp/`), in a process group of its own,
/// with a clean environment: `PATH` (the worker's), `HOME`, `TMPDIR`, `LANG`, the `NMSWEEP_*`
/// variables and the cell's `env:` — never the worker's other variables (database URLs, PG*
/// credentials, key paths). stdout and stderr go to `<cache>/command-logs/<cell>-attempt<N>.log`,
/// whose last lines a failure reports (they reach `cells.last_error`). Exit 0 and a well-formed
/// output folder (``CommandOutputCheck``) make the output archive the cell's artifact (the log
/// travels inside it as `_log.txt`); anything else is a failed attempt, retried up to the grid's
/// `max_attempts`. `timeout:` kills the process group (SIGTERM, SIGKILL after
/// ``killGraceMilliseconds``); ``stopAll()`` (the worker's SIGTERM) forwards SIGTERM and kills what
/// is left after the worker's grace period.
package final class CommandRunner: @unchecked Sendable {
    // @unchecked: `running` and `stopping` are guarded by `lock`; the rest is immutable.
    package let workRoot: String
    let logRoot: String
    let dataDirectory: String
    /// Where outputs and logs are stored (the cache, or the shared folder).
    let artifacts: ArtifactCache
    /// How long a stopped command may take to exit before SIGKILL (the worker's grace period).
    let stopGraceMilliseconds: Int64
    private let lock = NSLock()
    private var running: [pid_t: ProcessGroup] = [:]
    private var stopping = false

    /// After a time-out's SIGTERM, the group gets this long before SIGKILL, ms.
    package static let killGraceMilliseconds: Int64 = 5_000
    /// Lines of the log a failure reports.
    package static let tailLines = 20

    /// - Parameter artifacts: where outputs and logs go; default: the cache under `cacheDirectory`.
    package init(cacheDirectory: String, dataDirectory: String, artifacts: ArtifactCache? = nil, stopGraceMilliseconds: Int64) {
        workRoot = cacheDirectory + "/commands"
        logRoot = cacheDirectory + "/command-logs"
        self.dataDirectory = dataDirectory
        self.artifacts = artifacts ?? ArtifactCache(root: cacheDirectory)
        self.stopGraceMilliseconds = stopGraceMilliseconds
        try? FileManager.default.createDirectory(atPath: workRoot, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: logRoot, withIntermediateDirectories: true)
        CommandLeftovers.clean(workRoot)
    }

    /// The log of an attempt.
    package func logPath(cell: CellKey, attempt: UInt32) -> String { "\(logRoot)/\(cell.hex)-attempt\(attempt).log" }

    /// Runs one attempt of a command cell on the calling (slot) thread.
    package func run(_ spec: CommandSpec, cell: CellKey, attempt: UInt32) -> CellOutcome {
        let started = monotonicMilliseconds()
        // The worker's pid in the name lets a successor on this cache find what a killed worker left.
        let folder = "\(workRoot)/\(cell.hex.prefix(16))-\(attempt)-w\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (work, out, temporary) = (folder + "/work", folder + "/out", folder + "/tmp")
        for directory in [work, out, temporary] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                return .failed(reason: .resources, retryable: true, message: "command cell: cannot make its folder \(directory): \(error)")
            }
        }
        let log = logPath(cell: cell, attempt: attempt)
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{out}", with: out).replacingOccurrences(of: "{work}", with: work)
                .replacingOccurrences(of: "{data_dir}", with: dataDirectory)
        }
        let arguments = spec.command.map(fill)
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                           "HOME": work, "TMPDIR": temporary, "LANG": "C.UTF-8",
                           "NMSWEEP_OUT": out, "NMSWEEP_WORK": work, "NMSWEEP_DATA_DIR": dataDirectory,
                           "NMSWEEP_NOISE": Grid.noiseLabel(spec.noiseRatio), "NMSWEEP_SEED": String(spec.seed),
                           "NMSWEEP_TASKS": spec.tasks.map(Grid.taskLabel).joined(separator: ",")]
        for (name, value) in spec.environment { environment[name] = fill(value) }
        let header = "# nmsweep command cell \(cell.hex), attempt \(attempt)\n# $ \(arguments.joined(separator: " "))\n"
        guard FileManager.default.createFile(atPath: log, contents: Data(header.utf8), attributes: [.posixPermissions: 0o600]) else {
            return .failed(reason: .resources, retryable: true, message: "command cell: cannot create its log \(log)")
        }

        let process: ProcessGroup
        do {
            guard register(nil) else { return stoppedOutcome(log) }
            process = try ProcessGroup(arguments: arguments, environment: environment, workingDirectory: work, logPath: log)
        } catch {
            return .failed(reason: .error, retryable: true, message: "command cell: \(error)")
        }
        try? Data(String(process.pid).utf8).write(to: URL(fileURLWithPath: folder + "/pgid"))
        guard register(process) else {
            process.stop(graceMilliseconds: stopGraceMilliseconds)
            return stoppedOutcome(log)
        }
        defer { unregister(process) }
        let deadline = spec.timeoutSeconds.map { started + Int64($0) * 1000 }
        let ended = process.wait(until: { (deadline.map { monotonicMilliseconds() >= $0 } ?? false) || isStopping })
        let termination: ProcessGroup.Termination
        if let ended, ended != .exited(0), isStopping {
            // It ended because the worker's SIGTERM reached it: handed back, not charged.
            process.signal(SIGKILL)
            return stoppedOutcome(log)
        } else if let ended {
            termination = ended
            process.signal(SIGKILL)  // strays of the group outlive no attempt
        } else if isStopping {
            process.stop(graceMilliseconds: stopGraceMilliseconds)
            return stoppedOutcome(log)
        } else {
            let how = process.stop(graceMilliseconds: Self.killGraceMilliseconds)
            return .failed(reason: .error, retryable: true,
                           message: "command timed out after \(spec.timeoutSeconds ?? 0) s (timeout:); its process group was killed (\(how))\(tail(log))")
        }
        let seconds = Double(monotonicMilliseconds() - started) / 1000
        guard termination == .exited(0) else {
            let reason: Wire.FailureReason = if case .signalled = termination { .crashed } else { .error }
            return .failed(reason: reason, retryable: true, message: "command failed: \(termination)\(tail(log))")
        }
        do {
            try CommandOutputCheck.check(folder: out, tasks: spec.tasks)
        } catch {
            return .failed(reason: .badData, retryable: true, message: "command output: \(error)\(tail(log))")
        }
        return pack(out: out, log: log, archive: folder + "/output.archive", seconds: seconds, started: started)
    }

    /// The output folder (with the log as `_log.txt`) packed into the cell's artifact.
    private func pack(out: String, log: String, archive: String, seconds: Double, started: Int64) -> CellOutcome {
        do {
            try FileManager.default.copyItem(atPath: log, toPath: out + "/_log.txt")
            let packed = try OutputArchive.pack(folder: out, into: archive)
            guard packed.bytes <= WireFormat.maxArtifactBytes else {
                return .failed(reason: .resources, retryable: false,
                               message: "command output: \(packed.bytes) bytes packed, more than the \(WireFormat.maxArtifactBytes >> 30) GiB an artifact may hold")
            }
            // Moved (or, across file systems, streamed) into the store: never held in memory.
            let digest = ArtifactDigest(hex: packed.sha256)!
            try artifacts.store.adopt(file: archive, digest: digest, kind: "command-output")
            let total = Double(monotonicMilliseconds() - started) / 1000
            return .finished(CellResult(accuracy: 0, timings: ["command": seconds, "pack": max(0, total - seconds)]),
                             model: StoredArtifact(digest: digest, bytes: packed.bytes))
        } catch {
            return .failed(reason: .resources, retryable: true, message: "command output: cannot pack it: \(error)")
        }
    }

    /// The attempt's log stored as an artifact (linked to the cell and attempt by the
    /// coordinator: `nmsweep logs`); nil when there is no log or it cannot be stored.
    package func storeLog(cell: CellKey, attempt: UInt32) -> StoredArtifact? {
        let log = logPath(cell: cell, attempt: attempt)
        guard FileManager.default.fileExists(atPath: log), let stored = try? artifacts.store.store(fileAt: log, kind: "command-log") else { return nil }
        return StoredArtifact(digest: stored.digest, bytes: stored.bytes)
    }

    /// SIGTERM to every running command (the worker stops); each gets the grace period, then
    /// SIGKILL. Commands that would start afterwards do not.
    package func stopAll() { signalAll(SIGTERM) }

    /// SIGKILL to every command still running (the worker exits).
    package func killAll() { signalAll(SIGKILL) }

    /// Marks the runner stopping and sends `number` to every running command's process group.
    private func signalAll(_ number: Int32) {
        lock.lock()
        stopping = true
        let groups = Array(running.values)
        lock.unlock()
        for group in groups { group.signal(number) }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Records a running command (nil: only checks); false once the runner is stopping.
    private func register(_ process: ProcessGroup?) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !stopping else { return false }
        if let process { running[process.pid] = process }
        return true
    }

    private func unregister(_ process: ProcessGroup) {
        lock.lock()
        running[process.pid] = nil
        lock.unlock()
    }

    private func stoppedOutcome(_ log: String) -> CellOutcome {
        .failed(reason: .cancelled, retryable: true, message: "command stopped: the worker is stopping\(tail(log))")
    }

    /// The last ``tailLines`` lines of the log, prefixed for a failure message (cells.last_error
    /// keeps what fits the wire's text cap).
    func tail(_ log: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: log) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 2500 ? size - 2500 : 0)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(Self.tailLines + 1)
        let joined = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return joined.isEmpty ? "" : "; log \(log), last lines:\n" + joined
    }
}
