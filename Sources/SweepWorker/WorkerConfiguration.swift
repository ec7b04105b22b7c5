/// How a worker runs.
public struct WorkerConfiguration: Sendable {
    /// The coordinator's endpoint, e.g. `tcp://127.0.0.1:5555`.
    public var connect: String
    /// Cells run at once (one slot thread each), 1…1024.
    public var slots: Int
    /// Where model artifacts are cached, by SHA-256.
    public var cacheDirectory: String
    /// Where the data sets are.
    public var dataDirectory: String
    /// Heartbeat interval and liveness until the coordinator's welcome says otherwise.
    public var heartbeatMilliseconds: Int64
    public var liveness: Int
    /// Reconnect back-off: first and longest wait, ms.
    public var reconnectMinimumMilliseconds: Int64
    public var reconnectMaximumMilliseconds: Int64
    /// On SIGTERM or drain: how long running cells may take before the worker leaves anyway, ms.
    public var shutdownGraceMilliseconds: Int64
    /// CURVE encryption with the worker's key pair; nil = plain TCP.
    public var curve: WorkerCurve?
    /// Runs command cells (`--allow-commands`): the coordinator's grids may then run any program
    /// as this worker's user (docs/security.md).
    public var allowCommands = false
    /// Tags announced to the coordinator (`--tags gpu,a100`), matched against command cells' `requires:`.
    public var tags: [String] = []
    /// The shared artifact folder (`--artifact-dir`): outputs are written there and inputs read
    /// from there, not sent over ZeroMQ; nil = the worker's own cache, fed by the coordinator.
    public var artifactDirectory: String?

    public init(connect: String, slots: Int, cacheDirectory: String, dataDirectory: String,
                heartbeatMilliseconds: Int64 = 1_000, liveness: Int = 3, reconnectMinimumMilliseconds: Int64 = 100,
                reconnectMaximumMilliseconds: Int64 = 5_000, shutdownGraceMilliseconds: Int64 = 30_000, curve: WorkerCurve? = nil) {
        self.connect = connect
        self.slots = min(1024, max(1, slots))
        self.cacheDirectory = cacheDirectory
        self.dataDirectory = dataDirectory
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.liveness = liveness
        self.reconnectMinimumMilliseconds = reconnectMinimumMilliseconds
        self.reconnectMaximumMilliseconds = reconnectMaximumMilliseconds
        self.shutdownGraceMilliseconds = shutdownGraceMilliseconds
        self.curve = curve
    }
}
