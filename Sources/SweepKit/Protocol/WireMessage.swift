/// One message of the coordinator–worker protocol: the payload frame of a ZeroMQ message.
///
/// A frame is a 3-byte header — version (``WireFormat/version``), kind (``MessageKind``),
/// flags (0) — and the kind's body. ``encoded()`` and ``init(decoding:)-(UnsafeRawBufferPointer)``
/// are pure; decoding checks every length, count, cap and value, throws only ``ProtocolError``
/// and never traps. Cost: O(frame bytes) each way.
public enum WireMessage: Hashable, Sendable {
    case ready(Wire.Ready)
    case welcome(Wire.Welcome)
    case heartbeat
    case credit(Wire.Credit)
    case assign(Wire.AssignBatch)
    case result(Wire.ResultBatch)
    case ack(Wire.Ack)
    case failure(Wire.FailureReport)
    case cancel(Wire.Cancel)
    case artifactRequest(Wire.ArtifactRequest)
    case artifact(Wire.ArtifactChunk)
    case artifactUpload(Wire.ArtifactChunk)
    case artifactUnavailable(Wire.ArtifactUnavailable)
    case drain(Wire.Drain)
    case shutdown(Wire.Shutdown)
    case reregister(Wire.Reregister)
    case accepted(Wire.Accepted)
    case artifactFetch(Wire.ArtifactFetch)
    case artifactStored(Wire.ArtifactStored)
    case commandLog(Wire.CommandLog)

    public var kind: MessageKind {
        switch self {
        case .ready: .ready
        case .welcome: .welcome
        case .heartbeat: .heartbeat
        case .credit: .credit
        case .assign: .assign
        case .result: .result
        case .ack: .ack
        case .failure: .failure
        case .cancel: .cancel
        case .artifactRequest: .artifactRequest
        case .artifact: .artifact
        case .artifactUpload: .artifactUpload
        case .artifactUnavailable: .artifactUnavailable
        case .drain: .drain
        case .shutdown: .shutdown
        case .reregister: .reregister
        case .accepted: .accepted
        case .artifactFetch: .artifactFetch
        case .artifactStored: .artifactStored
        case .commandLog: .commandLog
        }
    }

    /// The frame's bytes; throws when a field is above its cap or out of its domain.
    public func encoded() throws(ProtocolError) -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        try encode(to: &writer)
        return writer.bytes
    }

    /// Appends the 3-byte header of a `kind` message: version, kind, flags 0.
    public static func writeHeader(_ kind: MessageKind, to writer: inout BinaryWriter) {
        writer.write(WireFormat.version)
        writer.write(kind.rawValue)
        writer.write(UInt8(0))
    }

    /// Appends the frame to `writer` (lets a caller reuse one buffer); throws when a field is above
    /// its cap, or the frame above ``WireFormat/maxFrameBytes`` (a receiver would never see it).
    public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
        let start = writer.bytes.count
        Self.writeHeader(kind, to: &writer)
        switch self {
        case .ready(let body): try body.encode(to: &writer)
        case .welcome(let body): try body.encode(to: &writer)
        case .heartbeat: break
        case .credit(let body): try body.encode(to: &writer)
        case .assign(let body): try body.encode(to: &writer)
        case .result(let body): try body.encode(to: &writer)
        case .ack(let body): try body.encode(to: &writer)
        case .failure(let body): try body.encode(to: &writer)
        case .cancel(let body): try body.encode(to: &writer)
        case .artifactRequest(let body): try body.encode(to: &writer)
        case .artifact(let body): try body.encode(to: &writer)
        case .artifactUpload(let body): try body.encode(to: &writer)
        case .artifactUnavailable(let body): try body.encode(to: &writer)
        case .drain(let body): try body.encode(to: &writer)
        case .shutdown(let body): try body.encode(to: &writer)
        case .reregister(let body): try body.encode(to: &writer)
        case .accepted(let body): try body.encode(to: &writer)
        case .artifactFetch(let body): try body.encode(to: &writer)
        case .artifactStored(let body): try body.encode(to: &writer)
        case .commandLog(let body): try body.encode(to: &writer)
        }
        let frameBytes = writer.bytes.count - start
        guard frameBytes <= WireFormat.maxFrameBytes else {
            throw .oversized(field: "\(kind) frame", length: frameBytes, limit: WireFormat.maxFrameBytes)
        }
    }

    /// The message in `frame`.
    public init(decoding frame: [UInt8]) throws(ProtocolError) {
        // `withUnsafeBytes` rethrows untyped errors; a Result carries the typed one through.
        let result = frame.withUnsafeBytes { buffer in
            Result { () throws(ProtocolError) -> WireMessage in try WireMessage(decoding: buffer) }
        }
        self = try result.get()
    }

    /// The message in `frame`, read in place (e.g. straight from a ZeroMQ message buffer).
    public init(decoding frame: UnsafeRawBufferPointer) throws(ProtocolError) {
        guard !frame.isEmpty else { throw .emptyFrame }
        var reader = BinaryReader(frame)
        let version = try reader.readUInt8("header.version")
        guard version == WireFormat.version else { throw .badVersion(version) }
        let kindByte = try reader.readUInt8("header.kind")
        guard let kind = MessageKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let flags = try reader.readUInt8("header.flags")
        guard flags == 0 else { throw .unsupportedFlags(flags) }
        switch kind {
        case .ready: self = .ready(try Wire.Ready(from: &reader))
        case .welcome: self = .welcome(try Wire.Welcome(from: &reader))
        case .heartbeat: self = .heartbeat
        case .credit: self = .credit(try Wire.Credit(from: &reader))
        case .assign: self = .assign(try Wire.AssignBatch(from: &reader))
        case .result: self = .result(try Wire.ResultBatch(from: &reader))
        case .ack: self = .ack(try Wire.Ack(from: &reader))
        case .failure: self = .failure(try Wire.FailureReport(from: &reader))
        case .cancel: self = .cancel(try Wire.Cancel(from: &reader))
        case .artifactRequest: self = .artifactRequest(try Wire.ArtifactRequest(from: &reader))
        case .artifact: self = .artifact(try Wire.ArtifactChunk(from: &reader))
        case .artifactUpload: self = .artifactUpload(try Wire.ArtifactChunk(from: &reader))
        case .artifactUnavailable: self = .artifactUnavailable(try Wire.ArtifactUnavailable(from: &reader))
        case .drain: self = .drain(try Wire.Drain(from: &reader))
        case .shutdown: self = .shutdown(try Wire.Shutdown(from: &reader))
        case .reregister: self = .reregister(try Wire.Reregister(from: &reader))
        case .accepted: self = .accepted(try Wire.Accepted(from: &reader))
        case .artifactFetch: self = .artifactFetch(try Wire.ArtifactFetch(from: &reader))
        case .artifactStored: self = .artifactStored(try Wire.ArtifactStored(from: &reader))
        case .commandLog: self = .commandLog(try Wire.CommandLog(from: &reader))
        }
        try reader.finish(kind)
    }
}
