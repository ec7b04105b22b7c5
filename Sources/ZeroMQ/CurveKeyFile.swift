import Foundation

/// CURVE key files: a private `NAME.secret` (the key pair) and a public `NAME.pub` (the public key),
/// as `nmsweep keygen` writes them, and allow-lists of public keys.
///
/// - `NAME.secret`, mode 0600: `#` comment lines, `public-key: <Z85>` and `secret-key: <Z85>`.
///   Read only when no one but the owner can read or write it (like ssh), else refused with the
///   `chmod 600` that fixes it.
/// - `NAME.pub` and allow-lists: one Z85 public key per line; blank lines and lines starting with
///   `#` are skipped (a line whose first word is a valid 40-character key is a key even if the key
///   itself starts with `#`, one of Z85's characters). Text after the key, past whitespace, is a comment.
///
/// Errors name the file and line and never quote a line: it may hold a secret key.
public enum CurveKeyFile {
    /// The secret file's suffix.
    public static let secretSuffix = ".secret"
    /// The public file's suffix; a directory allow-list reads every file with it.
    public static let publicSuffix = ".pub"
    /// Larger files are refused before they are read: a key file is about 150 bytes.
    public static let maxFileBytes = 1 << 20

    // MARK: Writing

    /// Writes `base.secret` (mode 0600 from its creation) and `base.pub` (mode 0644).
    ///
    /// Both are created with `O_CREAT | O_EXCL`; an existing file is an error unless `force`, which
    /// removes it first (so an old file's looser mode is never inherited).
    /// - Returns: the paths written, secret first.
    @discardableResult
    public static func write(_ pair: CurveKeyPair, base: String, force: Bool = false) throws -> (secret: String, public: String) {
        let secretPath = base + secretSuffix, publicPath = base + publicSuffix
        for path in [secretPath, publicPath] {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            guard force else {
                throw CurveKeyFileError(path: path, "already exists; refusing to overwrite a key (use --force to replace it)")
            }
            guard unlink(path) == 0 else { throw CurveKeyFileError(path: path, "cannot remove the old file: \(errnoText())") }
        }
        let secretText = """
            # nmsweep CURVE key pair (`nmsweep keygen`). Keep this file secret (mode 0600);
            # give \((publicPath as NSString).lastPathComponent) to the other side.
            public-key: \(pair.publicKey)
            secret-key: \(pair.secretKey)

            """
        try create(secretPath, mode: 0o600, contents: secretText)
        do {
            try create(publicPath, mode: 0o644, contents: pair.publicKey + "\n")
        } catch {
            _ = unlink(secretPath)
            throw error
        }
        return (secretPath, publicPath)
    }

    /// Creates `path` exclusively with `mode` (then `fchmod`, so the umask cannot change it) and writes `contents`.
    private static func create(_ path: String, mode: mode_t, contents: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CurveKeyFileError(path: path, "cannot create: \(errnoText())") }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw CurveKeyFileError(path: path, "cannot set mode \(String(mode, radix: 8)): \(errnoText())") }
        guard writeAll(fd, Array(contents.utf8)) else { throw CurveKeyFileError(path: path, "cannot write: \(errnoText())") }
        guard fsync(fd) == 0 else { throw CurveKeyFileError(path: path, "cannot sync: \(errnoText())") }
    }

    // MARK: Reading

    /// The key pair in a `.secret` file; refuses one that group or others may read or write.
    ///
    /// The `public-key:` line is optional; when present it must belong to the secret key.
    public static func readKeyPair(secretFile path: String) throws -> CurveKeyPair {
        let text = try readText(path, mustBePrivate: true)
        var secret: (key: String, line: Int)?
        var publicKey: (key: String, line: Int)?
        for (number, line) in lines(text) {
            guard let colon = line.firstIndex(of: ":") else {
                throw CurveKeyFileError(path: path, line: number, "expected `public-key: KEY` or `secret-key: KEY`")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard name == "secret-key" || name == "public-key" else {
                throw CurveKeyFileError(path: path, line: number, "expected `public-key: KEY` or `secret-key: KEY`")
            }
            guard CurveKeyPair.isValidKey(value) else {
                throw CurveKeyFileError(path: path, line: number,
                                        "\(name) is not a CURVE key (40 Z85 characters; found \(value.count) characters)")
            }
            if name == "secret-key" {
                if secret != nil { throw CurveKeyFileError(path: path, line: number, "a second secret-key line") }
                secret = (value, number)
            } else {
                if publicKey != nil { throw CurveKeyFileError(path: path, line: number, "a second public-key line") }
                publicKey = (value, number)
            }
        }
        guard let secret else {
            throw CurveKeyFileError(path: path, "has no `secret-key:` line (give the .secret file that `nmsweep keygen` wrote, not the .pub)")
        }
        let pair: CurveKeyPair
        do {
            pair = try CurveKeyPair(secretKey: secret.key)
        } catch {
            throw CurveKeyFileError(path: path, line: secret.line, "secret-key is not a usable CURVE key")
        }
        if let publicKey, publicKey.key != pair.publicKey {
            throw CurveKeyFileError(path: path, line: publicKey.line,
                                    "public-key does not belong to the secret key of line \(secret.line) (the file was edited by hand?)")
        }
        return pair
    }

    /// The public keys in an allow-list: a file of keys, or a directory whose `*.pub` files are read
    /// (in name order). Throws when there is none: an empty list would admit no one.
    public static func readPublicKeys(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CurveKeyFileError(path: path, "no such file or directory")
        }
        var keys: [String] = []
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(publicSuffix) }.sorted()
            } catch {
                throw CurveKeyFileError(path: path, "cannot list the directory: \(error.localizedDescription)")
            }
            guard !names.isEmpty else { throw CurveKeyFileError(path: path, "holds no *\(publicSuffix) files") }
            for name in names { keys += try readPublicKeyFile((path as NSString).appendingPathComponent(name)) }
        } else {
            keys = try readPublicKeyFile(path)
        }
        guard !keys.isEmpty else { throw CurveKeyFileError(path: path, "holds no public keys") }
        return keys
    }

    /// The one public key a `--server-key` argument names: the key itself (40 Z85 characters that
    /// are not the name of a file), or a file holding exactly one key.
    public static func publicKey(fileOrKey argument: String) throws -> String {
        if CurveKeyPair.isValidKey(argument), !FileManager.default.fileExists(atPath: argument) { return argument }
        let keys = try readPublicKeyFile(argument)
        guard keys.count == 1 else {
            throw CurveKeyFileError(path: argument, "holds \(keys.count) keys; a server key file holds exactly one")
        }
        return keys[0]
    }

    /// The keys of one public-key file.
    static func readPublicKeyFile(_ path: String) throws -> [String] {
        let text = try readText(path, mustBePrivate: false)
        var keys: [String] = []
        for (number, line) in lines(text, keepingHashLines: true) {
            let first = String(line.prefix { !$0.isWhitespace })
            if CurveKeyPair.isValidKey(first) {
                keys.append(first)
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("secret-key") {
                throw CurveKeyFileError(path: path, line: number, "holds a secret key: give the .pub file, and keep this one private")
            }
            throw CurveKeyFileError(path: path, line: number,
                                    "not a CURVE public key (40 Z85 characters; found a word of \(first.count) characters)")
        }
        return keys
    }

    /// The file's text, read through one descriptor: its mode is checked on what was opened.
    private static func readText(_ path: String, mustBePrivate: Bool) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CurveKeyFileError(path: path, "cannot open: \(errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CurveKeyFileError(path: path, "cannot stat: \(errnoText())") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw CurveKeyFileError(path: path, "is not a regular file") }
        if mustBePrivate, info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw CurveKeyFileError(path: path, "holds a secret key but group or others may access it (mode \(mode)); run `chmod 600 \(path)`")
        }
        guard info.st_size <= maxFileBytes else {
            throw CurveKeyFileError(path: path, "is \(info.st_size) bytes; a key file is under \(maxFileBytes) bytes")
        }
        guard let bytes = readAll(fd, limit: Int(info.st_size)) else {
            throw CurveKeyFileError(path: path, "cannot read: \(errnoText())")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CurveKeyFileError(path: path, "is not UTF-8 text")
        }
        return text
    }

    /// Numbered (from 1), trimmed, non-empty lines; `#` lines left out unless `keepingHashLines`.
    private static func lines(_ text: String, keepingHashLines: Bool = false) -> [(Int, String)] {
        var out: [(Int, String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || (!keepingHashLines && line.hasPrefix("#")) { continue }
            out.append((index + 1, line))
        }
        return out
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Writes all of `bytes` to `fd`; false on an error (`errno` says which).
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// Up to `limit` bytes from `fd` (fewer at end of file); nil on an error (`errno` says which).
private func readAll(_ fd: Int32, limit: Int) -> [UInt8]? {
    var bytes = [UInt8](repeating: 0, count: limit)
    var count = 0
    while count < limit {
        let n = bytes[count...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { return nil }
        if n == 0 { break }
        count += n
    }
    return Array(bytes[..<count])
}

/// A key file that cannot be used: which file, which line (when one), and why. Never holds key text.
public struct CurveKeyFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int? = nil, _ reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(path) line \(line): \(reason)" }
        return "\(path): \(reason)"
    }
}
