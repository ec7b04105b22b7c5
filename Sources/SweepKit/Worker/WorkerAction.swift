public import NoisyCore

/// What a ``WorkerSession`` asks its driver to do; the driver performs actions in the order given.
public enum WorkerAction: Sendable {
    /// Open a DEALER to the coordinator (the READY that follows goes through it).
    case connect
    /// Close the DEALER: the coordinator is silent; a ``connect`` follows after the back-off.
    case disconnect
    /// Encode and send this message.
    case send(WireMessage)
    /// Send a frame of results, made of elements encoded once and kept (unacknowledged) for resending.
    case sendFrame([UInt8])
    /// Hand this attempt to an idle slot thread; report its end with ``WorkerSession/cellFinished(_:_:now:)``.
    case run(WorkerJob)
    /// Write these bytes into the artifact cache under their (verified) digest.
    case storeArtifact(ArtifactDigest, [UInt8])
    /// Send the cached artifact as artifact-upload chunks. When `answering` a request and the
    /// cache cannot give it, say artifact-unavailable (``WorkerSession/uploadFailed(_:now:)``).
    case uploadArtifact(ArtifactDigest, answering: Bool)
    /// Something the operator should read; the driver chooses the log level.
    case note(WorkerNote)
}

/// One attempt the coordinator assigned, its spec decoded, ready for a slot.
public struct WorkerJob: Sendable {
    public var assign: Wire.Assign
    public var spec: CellSpec
    /// The model the cell needs, held in the artifact cache when the job runs.
    public var model: ArtifactDigest?

    public init(assign: Wire.Assign, spec: CellSpec, model: ArtifactDigest? = nil) {
        self.assign = assign
        self.spec = spec
        self.model = model
    }
}

/// How an attempt ended in its slot.
public enum CellOutcome: Sendable {
    /// The result and, for a pre-training, the model's bytes.
    case finished(CellResult, model: [UInt8]?)
    /// A failure as the worker reports it (FAILURE's reason, retryability and message).
    case failed(reason: Wire.FailureReason, retryable: Bool, message: String)
}

/// The events of a worker's protocol worth a log line.
public enum WorkerNote: Sendable, Equatable {
    /// Welcomed by a coordinator session other than the last one.
    case welcomed(session: UInt64)
    /// The coordinator said nothing for `silentMilliseconds`: reconnecting after the back-off.
    /// `everAnswered` is false while no coordinator ever welcomed this worker (then CURVE keys or
    /// the endpoint are the likely fault).
    case coordinatorSilent(silentMilliseconds: Int64, reconnectInMilliseconds: Int64, everAnswered: Bool)
    /// Draining began: queued cells handed back, cells still running.
    case draining(reason: String, handedBack: Int, running: Int)
    /// Unacknowledged results sent again after a welcome.
    case resending(count: Int)
    /// The coordinator said SHUTDOWN (for a worker of another build: a result-format refusal).
    case shutdown(reason: String)
    /// A frame that did not decode, or a message for the coordinator, was dropped.
    case droppedBadFrame
    case droppedWrongDirection(MessageKind)
    /// An artifact chunk that does not fit its transfer was dropped (the transfer is abandoned).
    case badArtifactChunk(String)
    /// A message the protocol forbids was about to be sent and could not be encoded.
    case unencodable(MessageKind)
}
