/// Appends the protocol's primitive fields to a byte array: little-endian fixed-width integers,
/// IEEE-754 doubles by bit pattern, u32-length-prefixed bytes and UTF-8 text.
///
/// Writers check the same caps as ``BinaryReader``, so nothing encodes that a peer would refuse.
/// Cost: amortised O(1) per byte appended.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A double as its 64-bit pattern: NaN payloads and signed zeros survive.
    public mutating func write(_ value: Double) { write(value.bitPattern) }

    /// A bool as one byte, 0 or 1.
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// 32 raw bytes.
    public mutating func write(_ key: CellKey) {
        for word in [key.w0, key.w1, key.w2, key.w3] {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// 32 raw bytes.
    public mutating func write(_ digest: ArtifactDigest) {
        write(CellKey(w0: digest.w0, w1: digest.w1, w2: digest.w2, w3: digest.w3))
    }

    /// A u32 length, then the bytes; throws when longer than `limit`.
    public mutating func write<Bytes: Collection>(bytes value: Bytes, field: String, limit: Int) throws(ProtocolError)
    where Bytes.Element == UInt8 {
        guard value.count <= limit else { throw .oversized(field: field, length: value.count, limit: limit) }
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// A u32 length, then the UTF-8 bytes; throws when longer than `limit` bytes.
    public mutating func write(text value: String, field: String, limit: Int) throws(ProtocolError) {
        try write(bytes: value.utf8, field: field, limit: limit)
    }

    /// Bytes already encoded (an element of a list encoded earlier), as they are.
    public mutating func write(raw value: [UInt8]) { bytes.append(contentsOf: value) }

    /// A u32 element count; throws when above `limit`.
    public mutating func write(count: Int, field: String, limit: Int) throws(ProtocolError) {
        guard count <= limit else { throw .oversized(field: field, length: count, limit: limit) }
        write(UInt32(count))
    }
}
