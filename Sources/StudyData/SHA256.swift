import Crypto
import NoisyCore

/// SHA-256, computed by swift-crypto (BoringSSL's implementation on Linux, CryptoKit's on Apple
/// platforms), under the three calls this project makes: bytes, a string, a file.
///
/// Used to pin data files, model artifacts and cell specs: every node computes the same digest of
/// the same bytes. The name is this project's; inside this file `Crypto.SHA256` is the library's.
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    /// A hasher of the empty message.
    public init() {}

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ string: String) -> SHA256Digest {
        hash(Array(string.utf8))
    }

    /// The digest of the file at `path`, read in 1 MiB chunks.
    /// - Throws: ``DataError`` (`.io`) naming the file when it cannot be read.
    public static func hash(fileAt path: String) throws -> SHA256Digest {
        var hasher = SHA256()
        try FileBytes.forEachChunk(ofFileAt: path, chunkSize: 1 << 20) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends the bytes of `buffer` to the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
    }

    /// The digest of everything appended.
    public func finalize() -> SHA256Digest {
        SHA256Digest(bytes: Array(hasher.finalize()))
    }
}

/// A SHA-256 digest: 32 bytes, shown as 64 lowercase hex digits.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// A digest from its 32 bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "A SHA-256 digest has 32 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    /// A digest from 64 hex digits (either case); nil if `hex` is not that.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = Self.nibble(digits[i]), let lo = Self.nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        bytes = out
    }

    /// 64 lowercase hex digits.
    public var hex: String {
        let alphabet = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(64)
        for byte in bytes {
            chars.append(alphabet[Int(byte >> 4)])
            chars.append(alphabet[Int(byte & 15)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = SHA256Digest(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex digest: \(text)"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
