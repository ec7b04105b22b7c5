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
    /// Send the stored artifact as artifact-upload chunks, a window at a time (artifact-stored
    /// opens the next), then the frame `then` (the result that names it) when given. When
    /// `answering` a request and the store cannot give it, say artifact-unavailable
    /// (``WorkerSession/uploadFailed(_:now:)``). A worker whose artifacts are in the shared
    /// folder the coordinator reads sends `then` at once: its bytes do not cross ZeroMQ.
    case uploadArtifact(ArtifactDigest, answering: Bool, then: [UInt8]?)
    /// A message of an artifact transfer for the driver's downloads and uploads: a chunk
    /// (artifact; written to the store as it comes, the next fetched, and
    /// ``WorkerSession/artifactStored(_:now:)`` or ``WorkerSession/artifactFailed(_:message:now:)``
    /// called at its end), artifact-stored (an upload's window), artifact-unavailable (the
    /// download or upload of that digest ends).
    case artifactTransfer(WireMessage)
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

/// An artifact a slot wrote to the worker's artifact store (a pre-training's model, a command
/// cell's output archive, a command log).
public struct StoredArtifact: Sendable, Hashable {
    public var digest: ArtifactDigest
    public var bytes: UInt64

    public init(digest: ArtifactDigest, bytes: UInt64) {
        self.digest = digest
        self.bytes = bytes
    }
}

/// How an attempt ended in its slot.
public enum CellOutcome: Sendable {
    /// The result and, for a pre-training or a command cell, the artifact it made, already in
    /// the worker's artifact store (hashed and written off the socket thread).
    case finished(CellResult, model: StoredArtifact?)
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
