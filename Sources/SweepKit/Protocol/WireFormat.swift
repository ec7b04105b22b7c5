/// The constants of the wire protocol: the header and every cap (see `docs/protocol.md`).
///
/// Caps bound what one frame can make a peer allocate: a decoder checks every length and count
/// against its cap and against the bytes actually left before it allocates anything.
public enum WireFormat {
    /// The protocol version in every header. A peer drops frames of another version.
    /// Version 2: assign and result messages carry lists (several assignments of one dispatch
    /// round, several results of one worker round) instead of one each.
    public static let version: UInt8 = 2
    /// Header bytes: version, kind, flags.
    public static let headerBytes = 3

    /// The largest artifact chunk's payload: 1 MiB.
    public static let artifactChunkBytes = 1 << 20
    /// The largest whole artifact: 1 TiB (2^20 chunks). Artifacts stream chunk by chunk with
    /// flow control (``artifactWindowChunks``), so no peer holds a whole one in memory.
    public static let maxArtifactBytes: UInt64 = 1 << 40
    /// Chunks of one artifact in flight at once: a sender sends at most this many beyond what the
    /// receiver confirmed (artifact-stored) or asked for (artifact-fetch).
    public static let artifactWindowChunks: UInt32 = 8
    /// The largest frame a peer sends: a full artifact chunk plus its fields, with room to spare.
    /// Sockets set `ZMQ_MAXMSGSIZE` to this.
    public static let maxFrameBytes = artifactChunkBytes + 4096

    /// A cell spec's canonical JSON.
    public static let maxSpecBytes = 64 << 10
    /// Free text: failure messages, shutdown and unavailability reasons.
    public static let maxTextBytes = 4096
    /// A worker id (a ZeroMQ routing id is at most 255 bytes).
    public static let maxWorkerIDBytes = 255
    /// Host names.
    public static let maxHostBytes = 255
    /// Short names: software version, capabilities, timing phases.
    public static let maxNameBytes = 64
    /// Slots of one worker; also the largest credit.
    public static let maxSlots: UInt32 = 1024
    /// Capabilities in one ready message.
    public static let maxCapabilities = 32
    /// Artifacts listed in one ready message (512 KiB of digests).
    public static let maxHeldArtifacts = 16384
    /// Artifacts one cell needs.
    public static let maxRequiredArtifacts = 16
    /// Cell keys in one ack (128 KiB).
    public static let maxAckKeys = 4096
    /// Assignments in one assign message (a worker never holds more than its slots).
    public static let maxAssignments = Int(maxSlots)
    /// Results in one result message.
    public static let maxResults = 1024
    /// Phases in one result's timings.
    public static let maxTimings = 64
    /// The text of a result's artifact SHA-256 field.
    public static let maxDigestTextBytes = 128
    /// Heartbeat liveness (missed intervals before a peer is dead).
    public static let maxLiveness: UInt32 = 1000
}
