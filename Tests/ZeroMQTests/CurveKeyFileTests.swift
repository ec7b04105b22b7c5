import Foundation
import Testing
import ZeroMQ

/// Key files as `nmsweep keygen` writes them, and every way reading one can fail.
@Suite struct CurveKeyFileTests {
    /// A fresh, empty directory.
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "curve-keys-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    static func failure(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func writtenFilesHaveTheirModesAndReadBack() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(pair, base: dir + "/node")
        #expect(paths.secret == dir + "/node.secret" && paths.public == dir + "/node.pub")
        #expect(try Self.mode(paths.secret) == 0o600)
        #expect(try Self.mode(paths.public) == 0o644)
        #expect(try CurveKeyFile.readKeyPair(secretFile: paths.secret) == pair)
        #expect(try CurveKeyFile.readPublicKeys(at: paths.public) == [pair.publicKey])
        #expect(try CurveKeyFile.publicKey(fileOrKey: paths.public) == pair.publicKey)
        #expect(try CurveKeyFile.publicKey(fileOrKey: pair.publicKey) == pair.publicKey)
        let text = try String(contentsOfFile: paths.secret, encoding: .utf8)
        #expect(text.contains("public-key: \(pair.publicKey)\n") && text.contains("secret-key: \(pair.secretKey)\n"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("#") })
        #expect(try String(contentsOfFile: paths.public, encoding: .utf8) == pair.publicKey + "\n")
    }

    @Test func existingFilesAreNotOverwrittenWithoutForce() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try CurveKeyPair.generate(), second = try CurveKeyPair.generate()
        try CurveKeyFile.write(first, base: dir + "/k")
        let refused = Self.failure { try CurveKeyFile.write(second, base: dir + "/k") }
        #expect(refused.contains(dir + "/k.secret") && refused.contains("--force"), "\(refused)")
        #expect(try CurveKeyFile.readKeyPair(secretFile: dir + "/k.secret") == first)
        // Only the .pub exists: still refused, and no .secret is left behind.
        try FileManager.default.removeItem(atPath: dir + "/k.secret")
        #expect(Self.failure { try CurveKeyFile.write(second, base: dir + "/k") }.contains(dir + "/k.pub"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/k.secret"))
        // --force replaces both, and a loose old mode is not inherited.
        try Self.write("x", to: dir + "/k.secret", mode: 0o666)
        try CurveKeyFile.write(second, base: dir + "/k", force: true)
        #expect(try Self.mode(dir + "/k.secret") == 0o600)
        #expect(try CurveKeyFile.readKeyPair(secretFile: dir + "/k.secret") == second)
    }

    @Test func aSecretFileOthersCanReadIsRefusedWithTheFix() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(pair, base: dir + "/open")
        for mode in [0o644, 0o640, 0o604, 0o660, 0o602] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: paths.secret)
            let message = Self.failure { try CurveKeyFile.readKeyPair(secretFile: paths.secret) }
            #expect(message.contains("chmod 600 \(paths.secret)"), "\(message)")
            #expect(message.contains(String(mode, radix: 8)))
            #expect(!message.contains(pair.secretKey))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: paths.secret)
        #expect(try CurveKeyFile.readKeyPair(secretFile: paths.secret) == pair)
    }

    @Test func malformedSecretFilesNameFileAndLineAndNeverQuoteTheKey() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try CurveKeyPair.generate(), other = try CurveKeyPair.generate()
        let path = dir + "/bad.secret"
        let cases: [(String, String)] = [
            ("# c\nsecret-key: \(pair.secretKey.dropLast())\n", "line 2: secret-key is not a CURVE key"),
            ("# c\n\npublic-key: \(other.publicKey)\nsecret-key: \(pair.secretKey)\n", "line 3: public-key does not belong"),
            ("public-key: \(pair.publicKey)\n", "no `secret-key:` line"),
            ("secret-key: \(pair.secretKey)\nsecret-key: \(pair.secretKey)\n", "line 2: a second secret-key"),
            ("\(pair.secretKey)\n", "line 1: expected `public-key: KEY` or `secret-key: KEY`"),
            ("private: \(pair.secretKey)\n", "line 1: expected"),
        ]
        for (text, expected) in cases {
            try Self.write(text, to: path)
            let message = Self.failure { try CurveKeyFile.readKeyPair(secretFile: path) }
            #expect(message.contains(path) && message.contains(expected), "\(message)")
            #expect(!message.contains(pair.secretKey) && !message.contains(pair.secretKey.dropLast()), "\(message)")
        }
        // Without the optional public-key line, and with spacing and CRLF, it reads.
        try Self.write("  secret-key:   \(pair.secretKey)  \r\n", to: path)
        #expect(try CurveKeyFile.readKeyPair(secretFile: path) == pair)
        let missing = Self.failure { try CurveKeyFile.readKeyPair(secretFile: dir + "/none.secret") }
        #expect(missing.contains(dir + "/none.secret") && missing.contains("No such file"), "\(missing)")
        #expect(Self.failure { try CurveKeyFile.readKeyPair(secretFile: dir) }.contains("not a regular file"))
    }

    @Test func allowListFilesAndDirectories() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = try (0..<4).map { _ in try CurveKeyPair.generate().publicKey }
        let list = dir + "/allowed"
        try Self.write("# workers\n\(keys[0])\n\n  \(keys[1])   # gpu box\n#\(keys[2])\n", to: list, mode: 0o644)
        #expect(try CurveKeyFile.readPublicKeys(at: list) == [keys[0], keys[1]])

        let folder = dir + "/allowed.d"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.write(keys[2] + "\n", to: folder + "/b.pub", mode: 0o644)
        try Self.write(keys[3] + "\n", to: folder + "/a.pub", mode: 0o644)
        try Self.write(keys[0] + "\n", to: folder + "/ignored.txt", mode: 0o644)
        #expect(try CurveKeyFile.readPublicKeys(at: folder) == [keys[3], keys[2]])

        let empty = dir + "/empty.d"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(Self.failure { try CurveKeyFile.readPublicKeys(at: empty) }.contains("holds no *.pub files"))
        try Self.write("# nobody\n", to: dir + "/none", mode: 0o644)
        #expect(Self.failure { try CurveKeyFile.readPublicKeys(at: dir + "/none") }.contains("holds no public keys"))
        #expect(Self.failure { try CurveKeyFile.readPublicKeys(at: dir + "/missing") }.contains("no such file or directory"))

        try Self.write("\(keys[0])\nnot-a-key\n", to: list, mode: 0o644)
        let bad = Self.failure { try CurveKeyFile.readPublicKeys(at: list) }
        #expect(bad.contains("\(list) line 2: not a CURVE public key"), "\(bad)")
        // A secret file given as an allow-list: refused without echoing the secret.
        let pair = try CurveKeyPair.generate()
        let secret = try CurveKeyFile.write(pair, base: dir + "/mixup").secret
        let mixup = Self.failure { try CurveKeyFile.readPublicKeys(at: secret) }
        #expect(mixup.contains("holds a secret key") || mixup.contains("not a CURVE public key"), "\(mixup)")
        #expect(!mixup.contains(pair.secretKey))
    }

    @Test func serverKeyArgument() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = try (0..<2).map { _ in try CurveKeyPair.generate().publicKey }
        try Self.write(keys.joined(separator: "\n"), to: dir + "/two.pub", mode: 0o644)
        #expect(Self.failure { try CurveKeyFile.publicKey(fileOrKey: dir + "/two.pub") }.contains("holds 2 keys"))
        #expect(Self.failure { try CurveKeyFile.publicKey(fileOrKey: "short") }.contains("short: cannot open"))
    }

    @Test func loopbackEndpoints() {
        for endpoint in ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:*", "tcp://127.1.2.3:9", "tcp://localhost:5555",
                         "tcp://[::1]:5555", "tcp://[::ffff:127.0.0.1]:1", "ipc:///tmp/x", "inproc://a", "TCP://LOCALHOST:1"] {
            #expect(EndpointScope.isLoopback(endpoint), "\(endpoint)")
        }
        for endpoint in ["tcp://*:5555", "tcp://0.0.0.0:5555", "tcp://[::]:5555", "tcp://10.0.0.5:5555", "tcp://eth0:5555",
                         "tcp://127.0.0.1.example.com:5555", "tcp://128.0.0.1:1", "tcp://[::2]:1", "tcp://127.0.0.1",
                         "udp://127.0.0.1:1", "tcp://192.168.1.2;127.0.0.1:1".replacingOccurrences(of: "127.0.0.1:1", with: "10.1.1.1:1"),
                         "pgm://127.0.0.1;239.0.0.1:5555", ""] {
            #expect(!EndpointScope.isLoopback(endpoint), "\(endpoint)")
        }
    }
}
