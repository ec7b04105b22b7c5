/// Reads the protocol's primitive fields from a byte buffer, checking every read against the
/// bytes left: a malformed frame ends in a ``ProtocolError``, never a trap or an over-read.
///
/// Lengths and counts are checked against their cap and against the bytes left *before*
/// anything is allocated, so one frame cannot make the decoder allocate more than its own size.
/// The buffer must outlive the reader (it is made inside `withUnsafeBytes`).
public struct BinaryReader {
    private let buffer: UnsafeRawBufferPointer
    /// The read position in bytes from the start.
    public private(set) var offset: Int

    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = min(max(offset, 0), buffer.count)
    }

    /// Bytes not yet read.
    public var remaining: Int { buffer.count - offset }

    /// Throws unless `count` more bytes are there.
    @inline(__always)
    private func need(_ count: Int, _ field: String) throws(ProtocolError) {
        guard count <= remaining else { throw .truncated(field: field, needed: count, remaining: remaining) }
    }

    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(ProtocolError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readUInt8(_ field: String) throws(ProtocolError) -> UInt8 { try load(UInt8.self, field) }
    public mutating func readUInt16(_ field: String) throws(ProtocolError) -> UInt16 { try load(UInt16.self, field) }
    public mutating func readUInt32(_ field: String) throws(ProtocolError) -> UInt32 { try load(UInt32.self, field) }
    public mutating func readUInt64(_ field: String) throws(ProtocolError) -> UInt64 { try load(UInt64.self, field) }

    /// A double from its 64-bit pattern.
    public mutating func readDouble(_ field: String) throws(ProtocolError) -> Double {
        Double(bitPattern: try load(UInt64.self, field))
    }

    /// One byte that must be 0 or 1.
    public mutating func readBool(_ field: String) throws(ProtocolError) -> Bool {
        switch try load(UInt8.self, field) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(field: field, reason: "a bool is 0 or 1, not \(other)")
        }
    }

    /// 32 raw bytes as a cell key.
    public mutating func readCellKey(_ field: String) throws(ProtocolError) -> CellKey {
        try need(32, field)
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        words.0 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        words.1 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        words.2 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        words.3 = UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        offset += 32
        return CellKey(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// 32 raw bytes as an artifact digest.
    public mutating func readDigest(_ field: String) throws(ProtocolError) -> ArtifactDigest {
        let key = try readCellKey(field)
        return ArtifactDigest(w0: key.w0, w1: key.w1, w2: key.w2, w3: key.w3)
    }

    /// A u32 length (≤ `limit`, ≤ bytes left), then that many bytes.
    public mutating func readBytes(_ field: String, limit: Int) throws(ProtocolError) -> [UInt8] {
        let length = try readLength(field, limit: limit)
        let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]))
        offset += length
        return bytes
    }

    /// A u32 length (≤ `limit`, ≤ bytes left), then that many bytes of valid UTF-8.
    public mutating func readText(_ field: String, limit: Int) throws(ProtocolError) -> String {
        let length = try readLength(field, limit: limit)
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        offset += length
        return text
    }

    /// A u32 length checked against `limit` and the bytes left (it does not advance past the bytes).
    public mutating func readLength(_ field: String, limit: Int) throws(ProtocolError) -> Int {
        let length = Int(try load(UInt32.self, field))
        guard length <= limit else { throw .oversized(field: field, length: length, limit: limit) }
        try need(length, field)
        return length
    }

    /// A u32 element count checked against `limit`, and against the bytes left given that each
    /// element takes at least `minimumElementBytes`: so a count never reserves more than the frame holds.
    public mutating func readCount(_ field: String, limit: Int, minimumElementBytes: Int) throws(ProtocolError) -> Int {
        let count = Int(try load(UInt32.self, field))
        guard count <= limit else { throw .oversized(field: field, length: count, limit: limit) }
        try need(count * max(minimumElementBytes, 0), field)
        return count
    }

    /// Throws unless every byte was read.
    public func finish(_ kind: MessageKind) throws(ProtocolError) {
        guard remaining == 0 else { throw .trailingBytes(kind: kind, count: remaining) }
    }
}
