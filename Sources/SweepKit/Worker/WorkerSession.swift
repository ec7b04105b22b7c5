import NoisyCore
import StudyData

/// The worker's side of the protocol as a state machine: credit, results kept until acknowledged,
/// artifact downloads, drain and reconnect, driven by events that carry the time and answering
/// with ``WorkerAction``s for a thin driver (the socket thread of `nmsweep-worker`) to perform.
///
/// Rules (docs/protocol.md, docs/runtime.md "The worker"):
/// - **Handshake**: READY on connect, repeated every ``readyRepeatMilliseconds`` until WELCOME
///   (with ZMQ_IMMEDIATE a READY sent before the connection is up is dropped). The READY lists the
///   artifacts held and `result-format/N`; a coordinator of another build answers SHUTDOWN.
/// - **Credit**: WELCOME is answered with credit for the free slots; afterwards each attempt that
///   ends grants one slot back, sent once per ``tick(now:)``. No credit while draining.
/// - **Acceptance**: the ASSIGNs of one receive round are confirmed in ACCEPTED (at most
///   `WireFormat.maxSlots` leases a message) before any of them runs, so a crash while one runs
///   finds its acceptance already sent. An ASSIGN repeated under the same lease is ignored.
/// - **Slots**: jobs wait in a FIFO here and go to the driver (``WorkerAction/run(_:)``) only when
///   a slot is idle, so withdrawing queued jobs (CANCEL, drain) needs nothing from the slots.
/// - **At-least-once results**: a result stays in `unacked` until an ACK names its cell and is sent
///   again (with its artifact uploaded first) after every WELCOME — a reconnect, a REREGISTER or a
///   new coordinator — at most once per heartbeat interval within one session.
/// - **Batched results**: the results that finish in one round of the driver go out together, in
///   as few RESULT messages as the caps allow, when the round ends (``tick(now:)`` or
///   ``roundEnded(now:)``): a lone result waits for nothing but the end of its own round.
/// - **Liveness**: any message from the coordinator counts; one silent for liveness × heartbeat
///   is left (``WorkerAction/disconnect``) and connected again after a back-off that starts at
///   the configured minimum and doubles to the maximum; a WELCOME resets it.
/// - **Artifacts**: an ASSIGN that needs a model this worker does not hold parks its job and asks
///   for the model once; the driver streams the chunks into its store, a window at a time, and
///   reports ``artifactStored(_:now:)`` (the parked jobs run) or ``artifactFailed(_:message:now:)``
///   (bytes that do not hash to their digest); ARTIFACT-UNAVAILABLE fails them too (retryable).
///   A slot writes a pre-training's model (a command's output) to the store; it is uploaded, a
///   window at a time, before its result (``WorkerAction/uploadArtifact(_:answering:then:)``).
/// - **Drain** (SIGTERM/SIGINT or DRAIN): queued and parked jobs are handed back (dropped here;
///   the coordinator re-queues them on SHUTDOWN without counting an attempt), running ones finish;
///   when nothing runs and every result is acknowledged, or the grace period is over, SHUTDOWN.
///   A second drain request ends the grace period at once.
///
/// Cost: every event is O(1) amortised plus the messages it produces, except a WELCOME that
/// resends (O(unacknowledged results)) and a CANCEL (O(queued jobs)).
public struct WorkerSession: Sendable {
    public let configuration: WorkerSessionConfiguration

    /// READY is repeated this often until WELCOME, ms.
    public static let readyRepeatMilliseconds: Int64 = 100

    // Connection.
    var connected = false
    var reconnectAt: SchedulerTime?
    var reconnectDelay: Int64
    var sessionID: UInt64?
    var welcomed = false
    var heartbeat: Int64
    var liveness: Int64
    var lastReceived = SchedulerTime.zero
    var lastSent = SchedulerTime.zero
    var readySentAt = SchedulerTime.zero
    /// When (and to which session) unacknowledged results were last resent, so a burst of welcomes
    /// of one session (a worker woken from SIGSTOP finds several queued) resends once per interval.
    var lastResendAt: SchedulerTime?
    var lastResendSession: UInt64?

    // Work.
    /// Attempts accepted and not ended: waiting for a slot, parked for a model, or running.
    var inFlight: [CellKey: Wire.Assign] = [:]
    /// Jobs waiting for an idle slot, in arrival order (from `waitingHead` on).
    var waiting: [WorkerJob] = []
    var waitingHead = 0
    var running = 0
    var creditOwed = 0
    /// Credit of attempts whose result waits for its artifact's upload: granted when the driver
    /// says the upload ended (``uploadEnded(_:now:)``), so credit never reaches the coordinator
    /// before the result that frees the slot (it would be capped away there).
    var creditAfterUpload: [ArtifactDigest: Int] = [:]
    /// Leases of this round's ASSIGNs and their jobs, confirmed (and queued) at ``receiveEnded(now:)``.
    var acceptedLeases: [LeaseID] = []
    var acceptedJobs: [WorkerJob] = []

    // Results and artifacts.
    /// Results not yet acknowledged: the encoded element of a result message
    /// (``Wire/ResultReport/encodedElement()``), and the artifact to upload again first.
    var unacked: [CellKey: (element: [UInt8], artifact: ArtifactDigest?)] = [:]
    /// Results finished in this round and not yet sent (their elements; kept in `unacked` too).
    var finishedResults: [[UInt8]] = []
    var held: Set<ArtifactDigest>
    var parked: [ArtifactDigest: [WorkerJob]] = [:]

    // Stopping.
    var draining = false
    var stopDeadline: SchedulerTime?
    /// True once the worker should exit (SHUTDOWN received, or a drain completed).
    public internal(set) var isFinished = false

    var outbox: [WorkerAction] = []

    /// A session not yet connected; `heldArtifacts`: what the cache holds now.
    public init(configuration: WorkerSessionConfiguration, heldArtifacts: some Sequence<ArtifactDigest> = []) {
        self.configuration = configuration
        heartbeat = configuration.heartbeatMilliseconds
        liveness = Int64(configuration.liveness)
        reconnectDelay = configuration.reconnectMinimumMilliseconds
        held = Set(heldArtifacts)
    }

    // MARK: What the driver reads

    /// Whether a WELCOME arrived on the current connection.
    public var isWelcomed: Bool { welcomed }
    /// Whether the DEALER should be open (false during a reconnect back-off).
    public var isConnected: Bool { connected }
    public var isDraining: Bool { draining }
    /// Attempts accepted and not ended (waiting, parked or running).
    public var inFlightCount: Int { inFlight.count }
    /// Jobs handed to slots and not yet finished.
    public var runningCount: Int { running }
    /// Results sent and not yet acknowledged.
    public var unacknowledgedCount: Int { unacked.count }
    /// The coordinator session that last welcomed this worker.
    public var session: UInt64? { sessionID }
    /// The current reconnect back-off, ms (the next wait after a silence).
    public var reconnectBackoffMilliseconds: Int64 { reconnectDelay }
    /// How long the driver may block in poll before the next ``tick(now:)``, ms.
    public var pollTimeoutMilliseconds: Int {
        guard connected else { return 10 }
        return welcomed ? Int(max(1, min(heartbeat / 2, 100))) : 20
    }

    // MARK: Events

    /// Starts the first connection.
    public mutating func start(now: SchedulerTime) -> [WorkerAction] {
        connect(now: now)
        return takeActions()
    }

    /// One message from the coordinator. Call ``receiveEnded(now:)`` after the messages of a round.
    public mutating func received(_ message: WireMessage, now: SchedulerTime) -> [WorkerAction] {
        lastReceived = now
        handle(message, now: now)
        return takeActions()
    }

    /// A frame from the coordinator that did not decode (it still proves the coordinator alive).
    public mutating func receivedBadFrame(now: SchedulerTime) -> [WorkerAction] {
        lastReceived = now
        return [.note(.droppedBadFrame)]
    }

    /// The end of a receive round: confirms its ASSIGNs in ACCEPTED, then lets their jobs run.
    public mutating func receiveEnded(now: SchedulerTime) -> [WorkerAction] {
        var start = 0
        while start < acceptedLeases.count {
            let end = min(acceptedLeases.count, start + Int(WireFormat.maxSlots))
            send(.accepted(Wire.Accepted(leases: Array(acceptedLeases[start..<end]))), now: now)
            start = end
        }
        acceptedLeases.removeAll(keepingCapacity: true)
        waiting.append(contentsOf: acceptedJobs)
        acceptedJobs.removeAll(keepingCapacity: true)
        startJobs()
        return takeActions()
    }

    /// An attempt handed out by ``WorkerAction/run(_:)`` ended in its slot.
    public mutating func cellFinished(_ assign: Wire.Assign, _ outcome: CellOutcome, now: SchedulerTime) -> [WorkerAction] {
        running = max(0, running - 1)
        inFlight[assign.cell] = nil
        creditOwed += 1
        switch outcome {
        case .finished(var result, let artifact):
            let digest = artifact?.digest
            if let digest {
                result.artifactSHA256 = digest.hex
                held.insert(digest)
            }
            let report = Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, result: result)
            guard let element = try? report.encodedElement() else {
                sendFailure(assign, reason: .error, retryable: false,
                            message: "the result cannot be encoded (a field over its cap)", now: now)
                break
            }
            unacked[assign.cell] = (element, digest)
            if connected {
                if let digest {
                    // Its slot's credit goes once its upload and result have gone (``uploadEnded(_:now:)``).
                    creditOwed -= 1
                    creditAfterUpload[digest, default: 0] += 1
                    sendResult(element, artifact: digest, now: now)
                } else {
                    // Sent at the end of the round, batched (``sendFinishedResults(now:)``).
                    finishedResults.append(element)
                }
            }
        case .failed(let reason, let retryable, let message):
            // The cache lost a model it was thought to hold: ask for it next time.
            if reason == .artifactUnavailable, let digest = assign.requiredArtifacts.first { held.remove(digest) }
            sendFailure(assign, reason: reason, retryable: retryable, message: message, now: now)
        }
        startJobs()
        return takeActions()
    }

    /// The cache could not give an artifact the coordinator asked for (``WorkerAction/uploadArtifact(_:answering:then:)``).
    public mutating func uploadFailed(_ digest: ArtifactDigest, now: SchedulerTime) -> [WorkerAction] {
        held.remove(digest)
        send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: "not in this worker's cache")), now: now)
        return takeActions()
    }

    /// The upload of `digest` ended (its last chunk and the frames waiting for it are sent, or it
    /// was given up): the credit of the attempts waiting for it goes out with the next tick.
    public mutating func uploadEnded(_ digest: ArtifactDigest, now: SchedulerTime) -> [WorkerAction] {
        creditOwed += creditAfterUpload.removeValue(forKey: digest) ?? 0
        return takeActions()
    }

    /// A download ended well (its bytes hashed to their digest and are in the store), or the
    /// driver found the artifact in the shared folder: the jobs parked for it run.
    public mutating func artifactStored(_ digest: ArtifactDigest, now: SchedulerTime) -> [WorkerAction] {
        held.insert(digest)
        waiting.append(contentsOf: parked.removeValue(forKey: digest) ?? [])
        startJobs()
        return takeActions()
    }

    /// A download failed (bytes that do not hash to their digest, a chunk out of order, the
    /// store unwritable): the jobs parked for it fail (retryable, reason artifact-unavailable).
    public mutating func artifactFailed(_ digest: ArtifactDigest, message: String, now: SchedulerTime) -> [WorkerAction] {
        failParked(digest, message: message, now: now)
        return takeActions()
    }

    /// SIGTERM/SIGINT (or the coordinator's DRAIN): stop taking work, hand back what has not
    /// started, let running cells finish within the grace period. A second request ends it now.
    public mutating func drainRequested(reason: String, now: SchedulerTime) -> [WorkerAction] {
        beginDrain(reason: reason, now: now)
        return takeActions()
    }

    /// The end of a round of the driver: the results that finished in it go out (as ``tick(now:)``
    /// does first), in as few RESULT messages as the caps allow.
    public mutating func roundEnded(now: SchedulerTime) -> [WorkerAction] {
        sendFinishedResults(now: now)
        return takeActions()
    }

    /// Time passed: the round's results, credit, READY repeats, heartbeats, liveness, reconnects,
    /// the end of a drain.
    public mutating func tick(now: SchedulerTime) -> [WorkerAction] {
        sendFinishedResults(now: now)
        if connected {
            if welcomed, creditOwed > 0, !draining {
                let granted = min(creditOwed, Int(WireFormat.maxSlots))
                send(.credit(Wire.Credit(slots: UInt32(granted))), now: now)
                creditOwed -= granted
            }
            if !welcomed, now - readySentAt >= Self.readyRepeatMilliseconds { sendReady(now: now) }
            if now - lastSent >= heartbeat { send(.heartbeat, now: now) }
            let silent = now - lastReceived
            if silent > heartbeat * liveness {
                outbox.append(.note(.coordinatorSilent(silentMilliseconds: silent, reconnectInMilliseconds: reconnectDelay,
                                                       everAnswered: sessionID != nil)))
                outbox.append(.disconnect)
                connected = false
                welcomed = false
                reconnectAt = now + reconnectDelay
            }
        } else if let reconnectAt, now >= reconnectAt {
            reconnectDelay = min(configuration.reconnectMaximumMilliseconds, reconnectDelay * 2)
            connect(now: now)
        }
        if draining, (inFlight.isEmpty && unacked.isEmpty) || now >= (stopDeadline ?? now) {
            send(.shutdown(Wire.Shutdown(reason: "worker stopping")), now: now)
            isFinished = true
        }
        return takeActions()
    }

    // MARK: Internals

    mutating func takeActions() -> [WorkerAction] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    mutating func connect(now: SchedulerTime) {
        connected = true
        welcomed = false
        reconnectAt = nil
        lastReceived = now
        outbox.append(.connect)
        sendReady(now: now)
    }

    mutating func sendReady(now: SchedulerTime) {
        let ready = Wire.Ready(worker: configuration.worker, incarnation: configuration.incarnation, pid: configuration.pid,
                               slots: UInt32(configuration.slots), softwareVersion: configuration.softwareVersion,
                               host: configuration.host, capabilities: configuration.capabilities,
                               artifacts: Array(held.sorted().prefix(WireFormat.maxHeldArtifacts)))
        readySentAt = now
        send(.ready(ready), now: now)
    }

    mutating func beginDrain(reason: String, now: SchedulerTime) {
        guard !draining else {
            stopDeadline = now
            return
        }
        draining = true
        stopDeadline = now + configuration.shutdownGraceMilliseconds
        var handedBack = 0
        for job in waiting[waitingHead...] {
            inFlight[job.assign.cell] = nil
            handedBack += 1
        }
        waiting.removeAll()
        waitingHead = 0
        for (_, jobs) in parked {
            for job in jobs { inFlight[job.assign.cell] = nil }
            handedBack += jobs.count
        }
        parked.removeAll()
        outbox.append(.note(.draining(reason: reason, handedBack: handedBack, running: inFlight.count)))
    }

    /// Hands waiting jobs to idle slots, oldest first.
    mutating func startJobs() {
        while running < configuration.slots, waitingHead < waiting.count {
            let job = waiting[waitingHead]
            waitingHead += 1
            running += 1
            outbox.append(.run(job))
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
    }

    mutating func sendFailure(_ assign: Wire.Assign, reason: Wire.FailureReason, retryable: Bool, message: String, now: SchedulerTime) {
        send(.failure(Wire.FailureReport(cell: assign.cell, lease: assign.lease, attempt: assign.attempt, reason: reason,
                                         retryable: retryable, message: String(decoding: Array(message.utf8.prefix(4000)), as: UTF8.self))),
             now: now)
    }

    /// Sends go nowhere while disconnected: what matters is kept (results until acknowledged) and
    /// the rest (credit, heartbeats, failures of attempts the coordinator re-queues) is recomputed.
    mutating func send(_ message: WireMessage, now: SchedulerTime) {
        guard connected else { return }
        outbox.append(.send(message))
        lastSent = now
    }

    /// A result naming an artifact: a result message of its own, sent by the driver after the
    /// artifact's upload (``WorkerAction/uploadArtifact(_:answering:then:)``).
    mutating func sendResult(_ element: [UInt8], artifact: ArtifactDigest, now: SchedulerTime) {
        guard connected, let frame = Wire.ResultBatch.frames(of: [element]).first else { return }
        outbox.append(.uploadArtifact(artifact, answering: false, then: frame))
        lastSent = now
    }

    /// Sends the results finished since the last call, batched (``Wire/ResultBatch/frames(of:)``).
    mutating func sendFinishedResults(now: SchedulerTime) {
        guard !finishedResults.isEmpty else { return }
        for frame in Wire.ResultBatch.frames(of: finishedResults) { sendFrame(frame, now: now) }
        finishedResults.removeAll(keepingCapacity: true)
    }

    mutating func sendFrame(_ frame: [UInt8], now: SchedulerTime) {
        guard connected else { return }
        outbox.append(.sendFrame(frame))
        lastSent = now
    }
}
