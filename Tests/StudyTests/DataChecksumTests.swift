import Foundation
import NoisyCore
import Testing
import StudyData

@Suite struct DataChecksumTests {
    /// FIPS 180-4 / NIST CAVP example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func sha256KnownAnswers(message: String, expected: String) {
        #expect(SHA256.hash(message).hex == expected)
    }

    @Test func sha256OfOneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edge cases: lengths around the 55/56/64-byte boundaries, checked against sha256sum.
    @Test func sha256MatchesSha256sumAroundBlockBoundaries() throws {
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let path = try TestFiles.write(message, name: "sha-\(length).bin")
            let reference = try TestFiles.run(["sha256sum", path]).split(separator: " ").first.map(String.init)
            #expect(SHA256.hash(message).hex == reference, "length \(length)")
            #expect(try SHA256.hash(fileAt: path).hex == reference, "file of length \(length)")
        }
    }

    @Test func streamingInUnevenChunksEqualsOneShot() {
        var random = RandomStream(seed: 11)
        let message = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: random.next32()) }
        var hasher = SHA256()
        var offset = 0
        for chunk in [1, 63, 64, 65, 0, 3, 1000, 7] + Array(repeating: 997, count: 20) where offset < message.count {
            let end = min(offset + chunk, message.count)
            hasher.update(Array(message[offset..<end]))
            offset = end
        }
        hasher.update(Array(message[offset...]))
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test func digestHexRoundTripsAndRejectsGarbage() {
        let digest = SHA256.hash("abc")
        #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
        #expect(SHA256Digest(hex: "xyz") == nil)
        #expect(SHA256Digest(hex: String(repeating: "g", count: 64)) == nil)
    }
}

/// Files and commands for the data tests.
enum TestFiles {
    /// A fresh temporary folder for one test.
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-data-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `bytes` to a new file called `name` in a fresh folder; returns its path.
    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = try directory() + "/" + name
        try FileBytes.write(bytes, to: path)
        return path
    }

    /// Runs a command (looked up on PATH) and returns its stdout as text; fails on a non-zero exit.
    static func run(_ arguments: [String], input: [UInt8]? = nil) throws -> String {
        String(decoding: try runBytes(arguments, input: input), as: UTF8.self)
    }

    /// Runs a command and returns its stdout bytes; throws on a non-zero exit.
    static func runBytes(_ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        var inputPath: String?
        if let input {
            let path = try write(input, name: "stdin.bin")
            inputPath = path
            process.standardInput = FileHandle(forReadingAtPath: path)
        }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if let inputPath { try? FileManager.default.removeItem(atPath: inputPath) }
        guard process.terminationStatus == 0 else {
            throw DataError(.io, "`\(arguments.joined(separator: " "))` exited with \(process.terminationStatus)")
        }
        return [UInt8](data)
    }

    /// `python3 -c script` with `input` on stdin; returns its stdout bytes.
    static func python(_ script: String, input: [UInt8]) throws -> [UInt8] {
        try runBytes(["python3", "-c", script], input: input)
    }

    /// Test bytes that compress: repeated words, runs and some noise (so every block kind and
    /// long back-references occur).
    static func compressibleBytes(count: Int, seed: UInt64) -> [UInt8] {
        var random = RandomStream(seed: seed)
        let words = ["pixel ", "label ", "noisy ", "model ", "learning ", "0,0,0,0,", "255,", "\n"].map { Array($0.utf8) }
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            switch random.nextInt(below: 10) {
            case 0: out += (0..<random.nextInt(below: 40)).map { _ in UInt8(truncatingIfNeeded: random.next32()) }
            case 1: out += [UInt8](repeating: UInt8(random.nextInt(below: 256)), count: random.nextInt(below: 300))
            default: out += words[random.nextInt(below: words.count)]
            }
        }
        return Array(out[..<count])
    }
}
