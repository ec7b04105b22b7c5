import StudyData

/// The key of a cell: SHA-256 of its canonical spec (see `CellKey+Spec.swift`), 32 bytes.
///
/// Held as four big-endian 64-bit words so it hashes and compares cheaply and travels as 32 raw
/// bytes on the wire; printed and stored in SQL as 64 lowercase hex digits.
public struct CellKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// The key of 32 digest bytes; `nil` unless exactly 32 bytes are given.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        // No intermediate arrays: keys are made and printed per message on the coordinator's hot path.
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (i, byte) in bytes.enumerated() {
            switch i >> 3 {
            case 0: words.0 = words.0 << 8 | UInt64(byte)
            case 1: words.1 = words.1 << 8 | UInt64(byte)
            case 2: words.2 = words.2 << 8 | UInt64(byte)
            default: words.3 = words.3 << 8 | UInt64(byte)
            }
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// The key of 64 hex digits (either case); `nil` for anything else.
    public init?(hex: String) {
        guard let digest = SHA256Digest(hex: hex) else { return nil }
        self.init(bytes: digest.bytes)
    }

    /// The 32 digest bytes, big-endian.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            for (n, word) in [w0, w1, w2, w3].enumerated() {
                for k in 0..<8 { buffer[8 * n + k] = UInt8(truncatingIfNeeded: word >> (56 - 8 * k)) }
            }
            count = 32
        }
    }

    /// 64 lowercase hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digit in
                for (n, word) in [w0, w1, w2, w3].enumerated() {
                    for k in 0..<16 { buffer[16 * n + k] = digit[Int(truncatingIfNeeded: word >> (60 - 4 * k)) & 15] }
                }
            }
            return 64
        }
    }

    public var description: String { hex }

    /// The first 12 hex digits, for log lines.
    public var short: String { String(hex.prefix(12)) }

    public static func < (lhs: CellKey, rhs: CellKey) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

extension CellKey: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = CellKey(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 64-digit hex cell key: \(text)"))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// A worker's identity: its ZeroMQ routing id (the worker chooses it: host name, pid and a random
/// suffix), at most 255 bytes.
public struct WorkerID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// A lease: the coordinator's grant of one attempt of one cell to one worker until an expiry.
/// Lease ids grow monotonically within a coordinator run; a result or failure must carry the
/// lease id it was assigned under, so a late message from a superseded attempt is recognised.
public typealias LeaseID = UInt64
