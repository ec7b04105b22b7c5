internal import CZeroMQ

/// A CURVE (Curve25519) key pair in Z85 text: 40 printable characters per 32-byte key.
///
/// `description` shows the public key only, so a key pair in a log line leaks no secret.
public struct CurveKeyPair: Sendable, Hashable, CustomStringConvertible {
    /// The public key, 40 Z85 characters: give it to peers and to allow-lists.
    public let publicKey: String
    /// The secret key, 40 Z85 characters: keep it in a file of mode 0600, never log it.
    public let secretKey: String

    /// A fresh key pair from libzmq's random source (`zmq_curve_keypair`).
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 { throw ZeroMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(uncheckedPublic: string(publicKey), secret: string(secretKey))
    }

    /// The key pair of a secret key, its public half derived with `zmq_curve_public`.
    /// Throws `EINVAL` unless `secretKey` is 40 Z85 characters.
    public init(secretKey: String) throws {
        guard Z85.decode(secretKey)?.count == 32 else {
            throw ZeroMQError(code: EINVAL, message: "a CURVE secret key is 40 Z85 characters", operation: "zmq_curve_public")
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_public(&publicKey, secretKey) != 0 { throw ZeroMQError.last("zmq_curve_public") }
        self.init(uncheckedPublic: string(publicKey), secret: secretKey)
    }

    private init(uncheckedPublic: String, secret: String) {
        publicKey = uncheckedPublic
        secretKey = secret
    }

    public var description: String { "CurveKeyPair(public: \(publicKey), secret: <redacted>)" }

    /// Whether `text` is a well-formed key: 40 Z85 characters encoding 32 bytes.
    public static func isValidKey(_ text: String) -> Bool { Z85.decode(text)?.count == 32 }
}

/// ZeroMQ's Z85 text encoding (RFC 32): 5 characters per 4 bytes.
public enum Z85 {
    /// The Z85 text of `bytes`; `nil` unless the count is a multiple of 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return string(text)
    }

    /// The bytes of Z85 `text`; `nil` unless its length is a multiple of 5 and every character is Z85.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 5 == 0, !utf8.contains(0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: utf8.count / 5 * 4)
        guard zmq_z85_decode(&bytes, text) != nil else { return nil }
        return bytes
    }
}

/// The text before the first NUL of a C buffer.
func string(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
