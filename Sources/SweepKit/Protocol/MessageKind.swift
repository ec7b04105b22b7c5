/// The kind byte of a message header, and who sends it.
public enum MessageKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Worker → coordinator, first after connecting: who it is, slots, artifacts it holds.
    case ready = 0x01
    /// Coordinator → worker, answer to ready: session, heartbeat interval and liveness.
    case welcome = 0x02
    /// Both ways, when nothing else was sent for an interval (any message counts as one).
    case heartbeat = 0x03
    /// Worker → coordinator: it can take this many more assignments.
    case credit = 0x04
    /// Coordinator → worker: run one attempt of a cell under a lease.
    case assign = 0x05
    /// Worker → coordinator: a cell's result, until acknowledged.
    case result = 0x06
    /// Coordinator → worker: these results are committed; forget them.
    case ack = 0x07
    /// Worker → coordinator: an attempt failed.
    case failure = 0x08
    /// Coordinator → worker: stop a leased attempt.
    case cancel = 0x09
    /// Either way: send me this artifact.
    case artifactRequest = 0x0A
    /// Coordinator → worker: one chunk of an artifact.
    case artifact = 0x0B
    /// Worker → coordinator: one chunk of an artifact it made.
    case artifactUpload = 0x0C
    /// Either way: the requested artifact cannot be had.
    case artifactUnavailable = 0x0D
    /// Either way: take or give no new work; finish what runs.
    case drain = 0x0E
    /// Coordinator → worker: hand back and exit. Worker → coordinator: leaving now.
    case shutdown = 0x0F
    /// Coordinator → worker: unknown sender (e.g. after a coordinator restart); send ready again.
    case reregister = 0x10
    /// Worker → coordinator: it has these assignments (leases).
    case accepted = 0x11
    /// Worker → coordinator: send me these chunks of an artifact (a download's window).
    case artifactFetch = 0x12
    /// Coordinator → worker: these chunks of your upload are stored (an upload's window).
    case artifactStored = 0x13
    /// Worker → coordinator: the log of a command attempt is this artifact.
    case commandLog = 0x14

    public var description: String {
        switch self {
        case .ready: "ready"
        case .welcome: "welcome"
        case .heartbeat: "heartbeat"
        case .credit: "credit"
        case .assign: "assign"
        case .result: "result"
        case .ack: "ack"
        case .failure: "failure"
        case .cancel: "cancel"
        case .artifactRequest: "artifact-request"
        case .artifact: "artifact"
        case .artifactUpload: "artifact-upload"
        case .artifactUnavailable: "artifact-unavailable"
        case .drain: "drain"
        case .shutdown: "shutdown"
        case .reregister: "reregister"
        case .accepted: "accepted"
        case .artifactFetch: "artifact-fetch"
        case .artifactStored: "artifact-stored"
        case .commandLog: "command-log"
        }
    }
}
