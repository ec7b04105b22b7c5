public import Logging
import BuildInfo
import Foundation
import SweepRuntime
import SweepKit
import ZeroMQ
import StudyData

/// The worker service: the driver of a ``WorkerSession`` — one DEALER on the caller's thread (the
/// socket thread), N slot threads.
///
/// The protocol (credit, results kept until acknowledged, artifacts, drain, reconnect) is the
/// session's, tested without sockets in `SweepKitTests/WorkerSession*Tests`; this class only does
/// the I/O it asks for. The socket thread never computes: it polls the slots' wake pipe, the
/// signal pipe and the DEALER, so heartbeats go out however long a cell runs.
public final class Worker {
    public let configuration: WorkerConfiguration
    let logger: Logger
    let cache: ArtifactCache
    let wake = WakePipe()
    let signals = WakePipe()
    let pool: SlotPool
    var session: WorkerSession
    var context: Context?
    var socket: Socket?
    var poller = Poller()
    /// Cells with nothing to run (``CellExecution/instantOutcome(of:)``), answered by this thread
    /// after the current round of actions, in the order they were handed out.
    var instant: [SlotOutcome] = []
    /// Artifact downloads and uploads, a window at a time (socket thread).
    lazy var transfers = ArtifactTransfers(cache: cache, send: { [unowned self] in self.send($0) },
                                           sendFrame: { [unowned self] in self.sendFrame($0) })

    public init(configuration: WorkerConfiguration, logger: Logger = Logger(label: "nmsweep.worker")) {
        self.configuration = configuration
        self.logger = logger
        let hostName = Self.hostName()
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let id = WorkerID(bytes: Array("\(hostName.isEmpty ? "worker" : hostName)-\(getpid())-\(suffix)".utf8.prefix(200)))
        cache = Self.artifactCache(configuration)
        session = WorkerSession(
            configuration: WorkerSessionConfiguration(
                worker: id, incarnation: UInt64.random(in: 1...UInt64.max), pid: UInt32(getpid()),
                host: String(decoding: Array(hostName.utf8.prefix(200)), as: UTF8.self), softwareVersion: BuildInfo.workerVersion,
                capabilities: Self.capabilities(configuration, cache: cache), slots: configuration.slots, heartbeatMilliseconds: configuration.heartbeatMilliseconds, liveness: configuration.liveness,
                reconnectMinimumMilliseconds: configuration.reconnectMinimumMilliseconds,
                reconnectMaximumMilliseconds: configuration.reconnectMaximumMilliseconds,
                shutdownGraceMilliseconds: configuration.shutdownGraceMilliseconds),
            heldArtifacts: cache.list(limit: WireFormat.maxHeldArtifacts))
        pool = SlotPool(slots: configuration.slots, wake: wake, cache: cache, dataDirectory: configuration.dataDirectory,
                        cacheDirectory: configuration.cacheDirectory, commands: Self.commandRunner(configuration))
    }

    public var workerID: String { session.configuration.worker.description }

    /// Runs until the coordinator says shutdown or a SIGTERM/SIGINT drain completes; returns the exit code.
    public func run() throws -> Int32 {
        StopSignal.install(signals)
        context = try Context(ioThreads: 1)
        try perform(session.start(now: now))
        while !session.isFinished {
            if WorkerHang.isHung {
                // A hung process: nothing more leaves it (the fault `hang`).
                logger.warning("a cell hangs: going silent")
                while true { sleep(3600) }
            }
            for item in try poller.poll(timeout: session.pollTimeoutMilliseconds) {
                switch item.index {
                case 0: wake.drain()
                case 1:
                    signals.drain()
                    pool.commands?.stopAll()
                    try perform(session.drainRequested(reason: "signal \(StopSignal.received)", now: now))
                default: try receiveMessages()
                }
            }
            for outcome in pool.takeOutcomes() {
                if let log = outcome.log { sendLog(log, of: outcome.assign) }
                try perform(session.cellFinished(outcome.assign, outcome.outcome, now: now))
            }
            try finishInstantCells()
            try perform(session.tick(now: now))
            try finishInstantCells()
            // The round's results, together (ticks send them too; this catches the last ones).
            try perform(session.roundEnded(now: now))
        }
        pool.commands?.killAll()
        socket?.close()
        context?.shutdown()
        return 0
    }

    var now: SchedulerTime { SchedulerTime(milliseconds: monotonicMilliseconds()) }

    /// Reports the instant cells' outcomes, as a slot would (finishing one may start the next).
    func finishInstantCells() throws {
        while !instant.isEmpty {
            let outcomes = instant
            instant.removeAll(keepingCapacity: true)
            for outcome in outcomes { WorkerMetrics.count(outcome.outcome); try perform(session.cellFinished(outcome.assign, outcome.outcome, now: now)) }
        }
    }

    /// Does what the session asks, in order.
    func perform(_ actions: [WorkerAction]) throws {
        for action in actions {
            switch action {
            case .connect: try connect()
            case .disconnect:
                transfers.reset()
                disconnect()
            case .send(.artifactRequest(let request)) where cache.isShared && cache.store.contains(request.digest):
                // On the shared folder already (another worker made it): nothing crosses ZeroMQ.
                try perform(session.artifactStored(request.digest, now: now))
            case .send(let message): send(message)
            case .sendFrame(let frame): sendFrame(frame)
            case .run(let job):
                if let outcome = CellExecution.instantOutcome(of: job.spec) {
                    instant.append(SlotOutcome(assign: job.assign, outcome: outcome))
                } else {
                    pool.submit(job)
                }
            case .uploadArtifact(let digest, let answering, let frame):
                if !transfers.upload(digest, then: frame), answering {
                    try perform(session.uploadFailed(digest, now: now))
                }
                try creditEndedUploads()
            case .artifactTransfer(let message):
                switch transfers.handle(message) {
                case .stored(let digest)?: try perform(session.artifactStored(digest, now: now))
                case .failed(let digest, let why)?:
                    logger.warning("artifact download failed: \(why)")
                    // The coordinator reads its copy through and forgets it if it is damaged.
                    send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: String(why.prefix(1000)))))
                    try perform(session.artifactFailed(digest, message: why, now: now))
                case nil: break
                }
                try creditEndedUploads()
            case .note(let note): WorkerMetrics.noted(note); log(note)
            }
        }
    }

    // MARK: Connection

    func connect() throws {
        guard let context else { return }
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, session.configuration.worker.bytes)
        try dealer.set(.maxMessageSize, Int64(WireFormat.maxFrameBytes))
        try dealer.set(.reconnectInterval, Int32(configuration.reconnectMinimumMilliseconds))
        try dealer.set(.reconnectIntervalMax, Int32(configuration.reconnectMaximumMilliseconds))
        try dealer.set(.immediate, true)
        // Close (reconnect, exit) waits at most 1 s for unsent messages: with the default (forever),
        // a message queued for a coordinator that is gone kept the process from exiting.
        try dealer.set(.linger, 1_000)
        try dealer.set(.sendHighWaterMark, 100_000)
        try dealer.set(.receiveHighWaterMark, 100_000)
        if let curve = configuration.curve { try dealer.makeCurveClient(curve.keyPair, serverPublicKey: curve.serverPublicKey) }
        try dealer.connect(configuration.connect)
        socket = dealer
        makePoller()
        try poller.register(dealer)
    }

    func disconnect() {
        socket?.close()
        socket = nil
        makePoller()
    }

    /// The pipes first (indices 0 and 1), then the DEALER while there is one.
    func makePoller() {
        poller = Poller()
        poller.register(fileDescriptor: wake.readFD)
        poller.register(fileDescriptor: signals.readFD)
    }

    // MARK: Messages

    func receiveMessages() throws {
        guard let socket else { return }
        for _ in 0..<10_000 {
            guard let message = try socket.receiveMessage(dontWait: true) else { break }
            if message.hasMore {
                // Not protocol: drain the rest of it and drop.
                while let part = try socket.receiveMessage(dontWait: true), part.hasMore {}
                continue
            }
            let decoded = message.withUnsafeBytes { bytes in Result { () throws(ProtocolError) in try WireMessage(decoding: bytes) } }
            switch decoded {
            case .success(let wire): try perform(session.received(wire, now: now))
            case .failure: try perform(session.receivedBadFrame(now: now))
            }
        }
        try perform(session.receiveEnded(now: now))
    }

    func send(_ message: WireMessage) {
        guard let frame = try? message.encoded() else {
            log(.unencodable(message.kind))
            return
        }
        sendFrame(frame)
    }

    /// Tells the session which uploads ended, so the credit of their attempts goes out after
    /// their results (never before: the coordinator would cap it away while the lease is open).
    func creditEndedUploads() throws {
        for digest in transfers.takeEndedUploads() { try perform(session.uploadEnded(digest, now: now)) }
    }

    /// Links a command attempt's log (in the store) to its cell and attempt at the coordinator:
    /// uploaded (a worker without the shared folder), then command-log. Best effort: a log lost
    /// with a connection is still in `<cache>/command-logs/` on this worker.
    func sendLog(_ log: StoredArtifact, of assign: Wire.Assign) {
        guard let frame = try? WireMessage.commandLog(Wire.CommandLog(cell: assign.cell, attempt: assign.attempt, digest: log.digest)).encoded()
        else { return }
        _ = transfers.upload(log.digest, then: frame)
    }

    func sendFrame(_ frame: [UInt8]) {
        guard let socket else { return }
        do {
            _ = try frame.withUnsafeBytes { try socket.send(bytes: $0, dontWait: true) }
        } catch {
            logger.warning("send failed: \(error)")
        }
    }
}

extension Worker {
    /// This machine's host name, invalid UTF-8 repaired ("" when unknown).
    static func hostName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        return string(fromCString: host)
    }

    /// The text of a NUL-terminated C buffer (e.g. from `gethostname`), invalid UTF-8 repaired.
    static func string(fromCString buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
