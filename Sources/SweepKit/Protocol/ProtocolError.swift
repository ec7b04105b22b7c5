/// Why a frame is not a valid message of the wire protocol (or a message cannot be encoded).
///
/// Decoding never traps: every malformed input ends in one of these. Field names read
/// `"message.field"`, e.g. `"assign.spec"`, as in `docs/protocol.md`.
public enum ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The frame has no bytes at all.
    case emptyFrame
    /// The header's version byte is not one this build speaks.
    case badVersion(UInt8)
    /// The header's kind byte names no message.
    case unknownKind(UInt8)
    /// The header's flags byte has bits this version does not define.
    case unsupportedFlags(UInt8)
    /// The frame ended inside `field`: `needed` bytes were wanted, `remaining` were left.
    case truncated(field: String, needed: Int, remaining: Int)
    /// A length or count in `field` is above its cap.
    case oversized(field: String, length: Int, limit: Int)
    /// Bytes are left after the last field of a message.
    case trailingBytes(kind: MessageKind, count: Int)
    /// Text in `field` is not valid UTF-8.
    case invalidUTF8(field: String)
    /// `field` holds a value outside its domain (a zero slot count, a bool of 7, …).
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case .emptyFrame: "empty frame"
        case .badVersion(let version): "unsupported protocol version \(version) (this build speaks \(WireFormat.version))"
        case .unknownKind(let kind): "unknown message kind \(kind)"
        case .unsupportedFlags(let flags): "unsupported header flags 0x\(String(flags, radix: 16))"
        case .truncated(let field, let needed, let remaining): "truncated at \(field): needs \(needed) bytes, \(remaining) left"
        case .oversized(let field, let length, let limit): "\(field) is \(length), above the limit of \(limit)"
        case .trailingBytes(let kind, let count): "\(count) unexpected bytes after a complete \(kind) message"
        case .invalidUTF8(let field): "\(field) is not valid UTF-8"
        case .invalidValue(let field, let reason): "\(field): \(reason)"
        }
    }
}
