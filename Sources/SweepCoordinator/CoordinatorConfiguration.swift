public import SweepStore
public import SweepKit

/// How a coordinator runs: where it listens, its timings and its limits.
public struct CoordinatorConfiguration: Sendable {
    /// The ROUTER endpoint (`tcp://127.0.0.1:5555`; `tcp://127.0.0.1:*` picks a free port).
    public var bind: String
    /// Heartbeat interval in ms (both ways; any message counts).
    public var heartbeatMilliseconds: Int64
    /// A worker silent for `liveness × heartbeat` is dead.
    public var liveness: Int
    /// Attempts per cell before it fails; nil = the grid's `max_attempts`.
    public var maxAttempts: Int?
    /// Results per database transaction at most.
    public var resultBatchLimit: Int
    /// Dispatch stops while this many results wait for their commit.
    public var resultBacklogLimit: Int
    /// After SIGINT/SIGTERM: how long running cells may take to report, in ms.
    public var shutdownGraceMilliseconds: Int64
    /// A limit on one attempt's run time in ms (`--cell-timeout-ms`): an attempt still running
    /// after it is cancelled and counted as failed, even while its worker heartbeats (a slot that
    /// hangs); nil = no limit (only a silent worker loses its cells).
    public var cellTimeoutMilliseconds: Int64?
    /// Progress output: a live line (TTY), log lines every `logIntervalSeconds`, or nothing.
    public var progress: ProgressMode
    public var logIntervalSeconds: Double

    /// CURVE encryption and the worker allow-list; nil = plain TCP (then bind loopback only).
    public var curve: CoordinatorCurve?
    /// The shared artifact folder (`--artifact-dir`, checked at start-up); nil = artifacts in the database.
    public var artifactFolder: ArtifactFolder?
    /// Its identity (``ArtifactFolder/identity()``): a worker on the same folder announces it in READY.
    public var artifactFolderIdentity: String?
    /// Where the loop publishes its snapshot for the HTTP side (`--http`); nil = none.
    public var statusBoard: StatusBoard?

    public enum ProgressMode: Sendable { case automatic, line, log, quiet }

    public init(bind: String = "tcp://127.0.0.1:5555", heartbeatMilliseconds: Int64 = 1_000, liveness: Int = 3,
                maxAttempts: Int? = nil, resultBatchLimit: Int = 16_384, resultBacklogLimit: Int = 65_536,
                shutdownGraceMilliseconds: Int64 = 10_000, progress: ProgressMode = .automatic,
                logIntervalSeconds: Double = 10, curve: CoordinatorCurve? = nil, cellTimeoutMilliseconds: Int64? = nil) {
        self.bind = bind
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.liveness = liveness
        self.maxAttempts = maxAttempts
        self.resultBatchLimit = resultBatchLimit
        self.resultBacklogLimit = resultBacklogLimit
        self.shutdownGraceMilliseconds = shutdownGraceMilliseconds
        self.progress = progress
        self.logIntervalSeconds = logIntervalSeconds
        self.curve = curve
        self.cellTimeoutMilliseconds = cellTimeoutMilliseconds
    }
}

/// How a coordinator run ended.
public struct CoordinatorOutcome: Sendable {
    public var sweepID: Int64
    public var total: Int
    public var done: Int
    public var failed: Int
    /// Assignments sent in this run (0 when a finished sweep is submitted again).
    public var assigned: Int
    /// Results committed in this run.
    public var committed: Int
    /// Of those, results this run stored; the rest were already present (another coordinator's,
    /// or a resend of a result stored before).
    public var inserted = 0
    /// Seconds from the first assignment (or the start, when nothing was assigned) to the end.
    public var seconds: Double
    /// Frames dropped as undecodable or misdirected.
    public var badFrames: Int
    /// Whether the run ended on SIGINT/SIGTERM before the sweep finished.
    public var interrupted: Bool
    /// Failed cells: key and last error (at most 50).
    public var failures: [(key: String, error: String)]
    /// CURVE handshakes the allow-list refused (0 without CURVE).
    public var refusedConnections = 0
    /// Cells that left the sweep because its grid no longer has them.
    public var dropped = DroppedCells()
    /// Set when every cell was already done or failed at the start (nothing ran): when the
    /// sweep last finished, as the database prints it.
    public var previouslyFinishedAt: String?
    /// Whether the database answered at the end: when not (a stop during an outage), this
    /// outcome comes from the coordinator's own counters and the `sweep_interrupted` event is
    /// written at the next start.
    public var databaseReachable = true

    /// 0 when every cell is done, 1 when some failed, 3 when interrupted.
    public var exitCode: Int32 { interrupted ? 3 : (failed > 0 ? 1 : 0) }
}
