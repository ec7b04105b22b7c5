/// The SHA-256 of an artifact's bytes: its content address, 32 bytes on the wire, 64 hex digits
/// in text and SQL.
public struct ArtifactDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Four big-endian words, as ``CellKey`` keeps its digest.
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// The digest of 32 bytes; `nil` for any other count.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard let key = CellKey(bytes: bytes) else { return nil }
        self.init(w0: key.w0, w1: key.w1, w2: key.w2, w3: key.w3)
    }

    /// The digest of 64 hex digits (either case); `nil` otherwise.
    public init?(hex: String) {
        guard let key = CellKey(hex: hex) else { return nil }
        self.init(w0: key.w0, w1: key.w1, w2: key.w2, w3: key.w3)
    }

    private var asKey: CellKey { CellKey(w0: w0, w1: w1, w2: w2, w3: w3) }

    /// The 32 bytes.
    public var bytes: [UInt8] { asKey.bytes }
    /// 64 lowercase hex digits.
    public var hex: String { asKey.hex }
    public var description: String { hex }

    public static func < (lhs: ArtifactDigest, rhs: ArtifactDigest) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
