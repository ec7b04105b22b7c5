public import Logging
import BuildInfo
import Foundation
import NoisyCore
import SweepKit
import ZeroMQ
import StudyData

/// The worker service: one DEALER on the caller's thread (the socket thread), N slot threads.
///
/// The socket thread never computes: it polls the DEALER, the slots' wake pipe and the signal
/// pipe, so heartbeats go out however long a cell runs. Results stay in `unacked` until an ACK
/// names them and are sent again after every welcome (reconnect, reregister, new coordinator).
public final class Worker {
    public let configuration: WorkerConfiguration
    let logger: Logger
    let id: WorkerID
    let incarnation = UInt64.random(in: 1...UInt64.max)
    let cache: ArtifactCache
    let wake = WakePipe()
    let signals = WakePipe()
    let pool: SlotPool
    var context: Context?
    var socket: Socket?
    var poller = Poller()

    var session: UInt64?
    var welcomed = false
    var heartbeat: Int64
    var liveness: Int
    var lastReceived: Int64 = 0
    var lastSent: Int64 = 0
    var reconnectDelay: Int64
    /// Attempts queued or running in the slots.
    var inFlight: [CellKey: Wire.Assign] = [:]
    var creditOwed = 0
    /// Results not yet acknowledged: the encoded frame, and the artifact to upload again first.
    var unacked: [CellKey: (frame: [UInt8], artifact: ArtifactDigest?)] = [:]
    var parked: [ArtifactDigest: [SlotJob]] = [:]
    var downloads: [ArtifactDigest: ArtifactAssembler] = [:]
    var draining = false
    var stopDeadline: Int64?
    var finished = false
    var readySentAt: Int64 = 0
    /// Leases of ASSIGNs received this round, to confirm in one ACCEPTED.
    var acceptedLeases: [LeaseID] = []
    /// Jobs of this round's ASSIGNs, started once their ACCEPTED is sent.
    var acceptedJobs: [SlotJob] = []
    /// When (and to which session) unacknowledged results were last resent, so a burst of
    /// welcomes of one session (a worker woken from SIGSTOP finds several queued) resends and
    /// logs once per heartbeat interval; a new session always gets them.
    var lastResendAt: Int64 = -1_000_000
    var lastResendSession: UInt64?

    public init(configuration: WorkerConfiguration, logger: Logger = Logger(label: "nmsweep.worker")) {
        self.configuration = configuration
        self.logger = logger
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = Self.string(fromCString: host)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        id = WorkerID(bytes: Array("\(hostName.isEmpty ? "worker" : hostName)-\(getpid())-\(suffix)".utf8.prefix(200)))
        cache = ArtifactCache(root: configuration.cacheDirectory)
        heartbeat = configuration.heartbeatMilliseconds
        liveness = configuration.liveness
        reconnectDelay = configuration.reconnectMinimumMilliseconds
        pool = SlotPool(slots: configuration.slots, wake: wake, dataDirectory: configuration.dataDirectory,
                        cacheDirectory: configuration.cacheDirectory)
    }

    public var workerID: String { id.description }

    /// Runs until the coordinator says shutdown or a SIGTERM/SIGINT drain completes; returns the exit code.
    public func run() throws -> Int32 {
        StopSignal.install(signals)
        context = try Context(ioThreads: 1)
        try connect()
        while !finished {
            if WorkerHang.isHung {
                // A hung process: nothing more leaves it (the fault `hang`).
                logger.warning("a cell hangs: going silent")
                while true { sleep(3600) }
            }
            let now = monotonicMilliseconds()
            let timeout = welcomed ? max(1, min(heartbeat / 2, 100)) : 20
            let ready = try poller.poll(timeout: Int(timeout))
            for item in ready {
                switch item.index {
                case 0: try receiveMessages()
                case 1: wake.drain()
                default:
                    signals.drain()
                    beginDrain(reason: "signal \(StopSignal.received)")
                }
            }
            handleOutcomes()
            let later = monotonicMilliseconds()
            if welcomed, creditOwed > 0, !draining {
                send(.credit(Wire.Credit(slots: UInt32(min(creditOwed, Int(WireFormat.maxSlots))))))
                creditOwed = max(0, creditOwed - Int(WireFormat.maxSlots))
            }
            // With ZMQ_IMMEDIATE a ready sent before the TCP connection is up is dropped: repeat it
            // until welcomed.
            if !welcomed, later - readySentAt >= 100 { sendReady() }
            if later - lastSent >= heartbeat { send(.heartbeat) }
            if later - lastReceived > heartbeat * Int64(liveness) {
                logger.warning("coordinator at \(configuration.connect) silent for \(later - lastReceived) ms: reconnecting in \(reconnectDelay) ms\(silenceHint)")
                try reconnect()
            }
            if draining {
                if inFlight.isEmpty && unacked.isEmpty || later >= (stopDeadline ?? later) {
                    send(.shutdown(Wire.Shutdown(reason: "worker stopping")))
                    finished = true
                }
            }
            _ = now
        }
        socket?.close()
        context?.shutdown()
        return 0
    }

    // MARK: Connection

    func connect() throws {
        guard let context else { return }
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, id.bytes)
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
        poller = Poller()
        try poller.register(dealer)
        poller.register(fileDescriptor: wake.readFD)
        poller.register(fileDescriptor: signals.readFD)
        welcomed = false
        lastReceived = monotonicMilliseconds()
        sendReady()
    }

    func reconnect() throws {
        socket?.close()
        socket = nil
        // Back-off, still collecting slot outcomes (they are kept until acknowledged).
        let until = monotonicMilliseconds() + reconnectDelay
        while monotonicMilliseconds() < until {
            usleep(10_000)
            handleOutcomes()
        }
        reconnectDelay = min(configuration.reconnectMaximumMilliseconds, reconnectDelay * 2)
        try connect()
    }

    func sendReady() {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let ready = Wire.Ready(worker: id, incarnation: incarnation, pid: UInt32(getpid()), slots: UInt32(configuration.slots),
                               softwareVersion: BuildInfo.workerVersion, host: String(decoding: Array(Self.string(fromCString: host).utf8.prefix(200)), as: UTF8.self),
                               capabilities: ["noop", Wire.Ready.resultFormatCapability], artifacts: cache.list(limit: WireFormat.maxHeldArtifacts))
        readySentAt = monotonicMilliseconds()
        send(.ready(ready))
    }

    func beginDrain(reason: String) {
        guard !draining else {
            stopDeadline = 0
            return
        }
        draining = true
        stopDeadline = monotonicMilliseconds() + configuration.shutdownGraceMilliseconds
        // Cells not started go back: the coordinator re-queues them when we say shutdown.
        let withdrawn = pool.withdrawQueued()
        for job in withdrawn { inFlight[job.assign.cell] = nil }
        for (_, jobs) in parked { for job in jobs { inFlight[job.assign.cell] = nil } }
        parked.removeAll()
        logger.notice("\(reason): draining (\(withdrawn.count) queued cells handed back, \(inFlight.count) running)")
    }

    // MARK: Receiving

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
            lastReceived = monotonicMilliseconds()
            guard case .success(let wire) = decoded else {
                logger.warning("dropped a bad frame from the coordinator")
                continue
            }
            handle(wire)
        }
        sendAccepted()
    }

    /// Confirms the ASSIGNs received this round (before their cells run: a crash while running
    /// one must find the confirmation already sent, so the coordinator charges the right cell).
    func sendAccepted() {
        defer {
            for job in acceptedJobs { pool.submit(job) }
            acceptedJobs.removeAll(keepingCapacity: true)
        }
        guard !acceptedLeases.isEmpty else { return }
        var start = 0
        while start < acceptedLeases.count {
            let end = min(acceptedLeases.count, start + Int(WireFormat.maxSlots))
            send(.accepted(Wire.Accepted(leases: Array(acceptedLeases[start..<end]))))
            start = end
        }
        acceptedLeases.removeAll(keepingCapacity: true)
    }

    func handle(_ message: WireMessage) {
        switch message {
        case .welcome(let welcome):
            welcomed = true
            reconnectDelay = configuration.reconnectMinimumMilliseconds
            heartbeat = Int64(welcome.heartbeatIntervalMilliseconds)
            liveness = Int(welcome.liveness)
            if session != welcome.session {
                logger.info("welcomed by the coordinator at \(configuration.connect), session \(String(welcome.session, radix: 16))")
            }
            session = welcome.session
            if !draining {
                let free = configuration.slots - inFlight.count
                if free > 0 { send(.credit(Wire.Credit(slots: UInt32(free)))) }
                creditOwed = 0
            }
            resendUnacked()
        case .reregister:
            sendReady()
        case .heartbeat:
            break
        case .assign(let assign):
            accept(assign)
        case .ack(let ack):
            for key in ack.cells { unacked[key] = nil }
        case .cancel(let cancel):
            let withdrawn = pool.withdrawQueued { $0.assign.cell == cancel.cell && $0.assign.lease == cancel.lease }
            for job in withdrawn {
                inFlight[job.assign.cell] = nil
                creditOwed += 1
                sendFailure(job.assign, reason: .cancelled, retryable: true, message: "cancelled before it started")
            }
        case .artifact(let chunk):
            receiveArtifact(chunk)
        case .artifactUnavailable(let unavailable):
            for job in parked.removeValue(forKey: unavailable.digest) ?? [] {
                inFlight[job.assign.cell] = nil
                creditOwed += 1
                sendFailure(job.assign, reason: .artifactUnavailable, retryable: true,
                            message: "model \(unavailable.digest.hex.prefix(12)) unavailable: \(unavailable.reason)")
            }
        case .artifactRequest(let request):
            if let bytes = cache.read(request.digest), let chunks = try? Wire.ArtifactChunk.chunks(of: bytes, digest: request.digest) {
                for chunk in chunks { send(.artifactUpload(chunk)) }
            } else {
                send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: request.digest, reason: "not in this worker's cache")))
            }
        case .drain:
            beginDrain(reason: "coordinator drain")
        case .shutdown(let shutdown):
            logger.info("coordinator says shutdown: \(shutdown.reason)")
            finished = true
        case .ready, .credit, .result, .failure, .artifactUpload, .accepted:
            logger.warning("dropped a \(message.kind) from the coordinator (wrong direction)")
        }
    }

    func accept(_ assign: Wire.Assign) {
        if draining {
            sendFailure(assign, reason: .cancelled, retryable: true, message: "worker is draining")
            return
        }
        if inFlight[assign.cell] != nil, inFlight[assign.cell]?.lease == assign.lease { return }
        acceptedLeases.append(assign.lease)
        let spec: CellSpec
        do {
            spec = try assign.spec()
        } catch {
            creditOwed += 1
            sendFailure(assign, reason: .badSpec, retryable: false, message: "\(error)")
            return
        }
        inFlight[assign.cell] = assign
        var job = SlotJob(assign: assign, spec: spec, model: nil)
        if let digest = assign.requiredArtifacts.first {
            if let bytes = cache.read(digest) {
                job.model = bytes
            } else {
                if parked[digest] == nil { send(.artifactRequest(Wire.ArtifactRequest(digest: digest))) }
                parked[digest, default: []].append(job)
                return
            }
        }
        acceptedJobs.append(job)
    }

    func receiveArtifact(_ chunk: Wire.ArtifactChunk) {
        let completed: [UInt8]?
        do {
            completed = try ArtifactAssembler.accept(chunk, into: &downloads)
        } catch {
            logger.warning("bad artifact chunk: \(error)")
            return
        }
        guard let bytes = completed else { return }
        let jobs = parked.removeValue(forKey: chunk.digest) ?? []
        guard SHA256.hash(bytes).hex == chunk.digest.hex else {
            for job in jobs {
                inFlight[job.assign.cell] = nil
                creditOwed += 1
                sendFailure(job.assign, reason: .artifactUnavailable, retryable: true, message: "model bytes do not hash to their digest")
            }
            return
        }
        cache.write(bytes, digest: chunk.digest)
        for var job in jobs {
            job.model = bytes
            pool.submit(job)
        }
    }

    // MARK: Outcomes

    func handleOutcomes() {
        for outcome in pool.takeOutcomes() {
            let assign = outcome.assign
            inFlight[assign.cell] = nil
            creditOwed += 1
            switch outcome.output {
            case .success(let output):
                var result = output.result
                var digest: ArtifactDigest?
                if let artifact = output.artifact {
                    let hex = SHA256.hash(artifact).hex
                    result.artifactSHA256 = hex
                    digest = ArtifactDigest(hex: hex)
                    if let digest { cache.write(artifact, digest: digest) }
                }
                let report = Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, worker: id, result: result)
                guard let frame = try? WireMessage.result(report).encoded() else {
                    sendFailure(assign, reason: .error, retryable: false, message: "the result cannot be encoded (a field over its cap)")
                    continue
                }
                unacked[assign.cell] = (frame, digest)
                if let digest { upload(digest) }
                sendFrame(frame)
            case .failure(let error):
                sendFailure(assign, reason: error.reason, retryable: error.retryable, message: error.message)
            }
        }
    }

    func upload(_ digest: ArtifactDigest) {
        guard let bytes = cache.read(digest), let chunks = try? Wire.ArtifactChunk.chunks(of: bytes, digest: digest) else { return }
        for chunk in chunks { send(.artifactUpload(chunk)) }
    }

    func resendUnacked() {
        guard !unacked.isEmpty else { return }
        // Welcomes that queued up while this process was stopped arrive together: one resend.
        let now = monotonicMilliseconds()
        guard session != lastResendSession || now - lastResendAt >= heartbeat else { return }
        lastResendAt = now
        lastResendSession = session
        logger.info("resending \(unacked.count) unacknowledged results")
        for (_, entry) in unacked {
            if let digest = entry.artifact { upload(digest) }
            sendFrame(entry.frame)
        }
    }

    func sendFailure(_ assign: Wire.Assign, reason: Wire.FailureReason, retryable: Bool, message: String) {
        send(.failure(Wire.FailureReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, reason: reason,
                                         retryable: retryable, message: String(decoding: Array(message.utf8.prefix(4000)), as: UTF8.self))))
    }

    func send(_ message: WireMessage) {
        guard let frame = try? message.encoded() else {
            logger.error("cannot encode \(message.kind)")
            return
        }
        sendFrame(frame)
    }

    func sendFrame(_ frame: [UInt8]) {
        guard let socket else { return }
        do {
            _ = try frame.withUnsafeBytes { try socket.send(bytes: $0, dontWait: true) }
            lastSent = monotonicMilliseconds()
        } catch {
            logger.warning("send failed: \(error)")
        }
    }
}

extension Worker {
    /// The text of a NUL-terminated C buffer (e.g. from `gethostname`), invalid UTF-8 repaired.
    static func string(fromCString buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
