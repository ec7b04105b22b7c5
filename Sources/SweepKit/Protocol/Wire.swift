/// The messages of the coordinator–worker protocol, one type per kind (see ``WireMessage`` for
/// the frame as a whole and `docs/protocol.md` for the bytes).
public enum Wire {}

/// The body of one message kind: how it is written after the header and read back.
public protocol WireBody: Hashable, Sendable {
    static var kind: MessageKind { get }
    /// Appends the body's fields; throws when a field is above its cap.
    func encode(to writer: inout BinaryWriter) throws(ProtocolError)
    /// Reads the body's fields (not the header, and without checking for trailing bytes).
    init(from reader: inout BinaryReader) throws(ProtocolError)
}

extension BinaryReader {
    /// A cell attempt number: 1 for the first attempt.
    mutating func readAttempt(_ field: String) throws(ProtocolError) -> UInt32 {
        let attempt = try readUInt32(field)
        guard attempt >= 1 else { throw .invalidValue(field: field, reason: "attempts count from 1") }
        return attempt
    }

    /// A worker id: 1–255 bytes.
    mutating func readWorkerID(_ field: String) throws(ProtocolError) -> WorkerID {
        let bytes = try readBytes(field, limit: WireFormat.maxWorkerIDBytes)
        guard !bytes.isEmpty else { throw .invalidValue(field: field, reason: "a worker id is not empty") }
        return WorkerID(bytes: bytes)
    }

    /// A slot or credit count in 1…``WireFormat/maxSlots``.
    mutating func readSlots(_ field: String) throws(ProtocolError) -> UInt32 {
        let slots = try readUInt32(field)
        guard (1...WireFormat.maxSlots).contains(slots) else {
            throw .invalidValue(field: field, reason: "\(slots) is outside 1…\(WireFormat.maxSlots)")
        }
        return slots
    }
}

extension BinaryWriter {
    /// A worker id, 1–255 bytes.
    mutating func write(worker: WorkerID, field: String) throws(ProtocolError) {
        guard !worker.bytes.isEmpty else { throw .invalidValue(field: field, reason: "a worker id is not empty") }
        try write(bytes: worker.bytes, field: field, limit: WireFormat.maxWorkerIDBytes)
    }

    /// A slot or credit count in 1…``WireFormat/maxSlots``.
    mutating func write(slots: UInt32, field: String) throws(ProtocolError) {
        guard (1...WireFormat.maxSlots).contains(slots) else {
            throw .invalidValue(field: field, reason: "\(slots) is outside 1…\(WireFormat.maxSlots)")
        }
        write(slots)
    }

    /// An attempt number, ≥ 1.
    mutating func write(attempt: UInt32, field: String) throws(ProtocolError) {
        guard attempt >= 1 else { throw .invalidValue(field: field, reason: "attempts count from 1") }
        write(attempt)
    }
}
