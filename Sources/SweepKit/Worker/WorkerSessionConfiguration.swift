/// What a ``WorkerSession`` needs to know about its worker and its timing.
public struct WorkerSessionConfiguration: Sendable {
    /// The worker's routing id, and the other fields of its READY.
    public var worker: WorkerID
    /// Random per process: tells the coordinator a restarted worker from a reconnected one.
    public var incarnation: UInt64
    public var pid: UInt32
    public var host: String
    public var softwareVersion: String
    /// Capabilities announced in READY; a coordinator refuses a worker without its `result-format/N`.
    public var capabilities: [String]
    /// Cells run at once, 1…`WireFormat.maxSlots`.
    public var slots: Int
    /// Heartbeat interval and liveness until the coordinator's WELCOME says otherwise.
    public var heartbeatMilliseconds: Int64
    public var liveness: Int
    /// Reconnect back-off: the first wait, doubled after each silence up to the longest, ms.
    public var reconnectMinimumMilliseconds: Int64
    public var reconnectMaximumMilliseconds: Int64
    /// On drain: how long running cells may take before the worker leaves anyway, ms.
    public var shutdownGraceMilliseconds: Int64

    public init(worker: WorkerID, incarnation: UInt64, pid: UInt32, host: String, softwareVersion: String,
                capabilities: [String] = ["noop", Wire.Ready.resultFormatCapability], slots: Int,
                heartbeatMilliseconds: Int64 = 1_000, liveness: Int = 3, reconnectMinimumMilliseconds: Int64 = 100,
                reconnectMaximumMilliseconds: Int64 = 5_000, shutdownGraceMilliseconds: Int64 = 30_000) {
        self.worker = worker
        self.incarnation = incarnation
        self.pid = pid
        self.host = host
        self.softwareVersion = softwareVersion
        self.capabilities = capabilities
        self.slots = min(Int(WireFormat.maxSlots), max(1, slots))
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.liveness = liveness
        self.reconnectMinimumMilliseconds = reconnectMinimumMilliseconds
        self.reconnectMaximumMilliseconds = reconnectMaximumMilliseconds
        self.shutdownGraceMilliseconds = shutdownGraceMilliseconds
    }
}
