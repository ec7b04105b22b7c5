import Foundation
public import Logging
import SweepRuntime

/// Keeps the embedded server running while a coordinator uses it (issue 21): when its postmaster
/// dies (an OOM kill, a SIGKILL), the server is started again — PostgreSQL's crash recovery
/// replays the WAL, so every committed result is kept — with back-off and a bound on restarts.
/// Each restart is logged with why, recorded as a `database_restarted` event, and appended to
/// `<state>/postgres/restarts.log`, which `nmsweep db status` reads.
///
/// A thread of its own (``PeriodicThread``) checks once a second whether the postmaster of `postmaster.pid` is
/// alive (`kill(pid, 0)`: no subprocess on the healthy path).
public final class EmbeddedSupervisor: @unchecked Sendable {
    public let server: EmbeddedPostgres
    /// Restarts allowed for this supervisor's life; then it logs that it gives up.
    public let maxRestarts: Int
    let logger: Logger
    /// `@unchecked Sendable`: `count` is guarded by `lock`; `delay` and `gaveUp` are used by the
    /// supervisor's thread only; `thread` is set by ``start()`` before that thread runs.
    private let lock = NSLock()
    private var count = 0
    private var delay = 0.5
    private var gaveUp = false
    private var thread: PeriodicThread?

    public init(server: EmbeddedPostgres, maxRestarts: Int = 5, logger: Logger) {
        self.server = server
        self.maxRestarts = maxRestarts
        self.logger = logger
    }

    /// Restarts made so far.
    public var restarts: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    public func start() {
        let thread = PeriodicThread(name: "db-supervisor", interval: 1) { [weak self] last in
            if !last { self?.check() }
        }
        self.thread = thread
        thread.start()
    }

    public func stop() {
        thread?.stop(waitingAtMost: 2)
    }

    /// One round (on the supervisor's thread only): restarts a dead postmaster, within budget.
    private func check() {
        guard !gaveUp, let dead = server.deadPostmaster() else { return }
        if restarts >= maxRestarts {
            logger.critical("the embedded PostgreSQL died again (\(dead)) after \(maxRestarts) restarts: not restarting it; start it with `nmsweep db start` (the coordinator waits and carries on)")
            gaveUp = true
            return
        }
        logger.error("the embedded PostgreSQL died (\(dead)); restarting it (restart \(restarts + 1) of at most \(maxRestarts))")
        do {
            let endpoint = try server.start()
            lock.lock()
            count += 1
            let n = count
            lock.unlock()
            delay = 0.5
            logger.notice("the embedded PostgreSQL is running again at \(endpoint) (crash recovery done)")
            if !server.appendRestart(reason: dead) {
                logger.warning("could not append this restart to \(server.restartsLog) (`nmsweep db status` will not list it)")
            }
            if let database = try? SweepDatabase(url: endpoint.socketURL(), migrate: false) {
                _ = try? database.recordEvent(kind: "database_restarted", message: "the embedded PostgreSQL died (\(dead)) and was restarted",
                                              detail: "{\"restart\": \(n), \"max_restarts\": \(maxRestarts)}")
                database.connection.close()
            }
        } catch {
            logger.error("restarting the embedded PostgreSQL failed: \(error); next try in \(delay) s")
            Thread.sleep(forTimeInterval: delay)
            delay = min(30, delay * 2)
        }
    }
}

extension EmbeddedPostgres {
    /// Why the server is not running when its cluster says it should be: nil while the
    /// postmaster of `postmaster.pid` lives (or when there is no pid file: stopped on purpose).
    func deadPostmaster() -> String? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return nil }
        if kill(pid, 0) == 0 || errno == EPERM { return nil }
        return "postmaster pid \(pid) is gone; its postmaster.pid remains"
    }

    /// The file of restarts made by supervisors: one line per restart, `ISO-8601 time<TAB>reason`.
    public var restartsLog: String { clusterRoot + "/restarts.log" }

    /// Appends a restart to `restarts.log`; false when the file cannot be written.
    func appendRestart(reason: String) -> Bool {
        let line = ISO8601DateFormatter().string(from: Date()) + "\t" + reason + "\n"
        if let handle = FileHandle(forWritingAtPath: restartsLog) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
            return true
        }
        return FileManager.default.createFile(atPath: restartsLog, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Restarts recorded by supervisors, oldest first: (time, reason).
    public func recordedRestarts() -> [(time: String, reason: String)] {
        guard let text = try? String(contentsOfFile: restartsLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }
}
