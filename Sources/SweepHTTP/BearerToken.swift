import Foundation

/// The secret a request beyond loopback must carry (`Authorization: Bearer TOKEN`), read from
/// `--http-token-file`. Compared in constant time: the time a wrong guess takes does not depend on
/// how many of its leading bytes were right.
public struct BearerToken: Sendable {
    let secret: [UInt8]

    /// Reads the token file: its content without surrounding white space; at least 16 characters.
    public init(file path: String) throws(SweepHTTPError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .tokenFile("--http-token-file \(path): cannot read it (missing or not readable)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 16 else {
            throw .tokenFile("--http-token-file \(path): the token must be at least 16 characters (it has \(text.count)); e.g. `openssl rand -hex 24 > \(path)`")
        }
        guard !text.contains(where: { $0.isWhitespace }) else {
            throw .tokenFile("--http-token-file \(path): the token must be one word (no spaces or line breaks inside)")
        }
        secret = Array(text.utf8)
    }

    public init(secret: String) { self.secret = Array(secret.utf8) }

    /// Whether an `Authorization` header value is `Bearer <this token>`.
    public func admits(authorization header: String?) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), secret)
    }

    /// Equality whose running time depends only on the lengths, never on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
