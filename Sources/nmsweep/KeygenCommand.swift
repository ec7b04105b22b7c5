import ArgumentParser
import Foundation
import ZeroMQ

/// `nmsweep keygen`: a CURVE key pair for a coordinator or a worker (docs/security.md).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair: PATH.secret (mode 0600, for --curve-key) and PATH.pub (for allow-lists and --server-key).")

    @Option(help: "The base path: writes PATH.secret and PATH.pub (a trailing .secret or .pub is dropped).")
    var output: String

    @Flag(help: "Replace existing key files (the old keys stop working wherever they were listed).")
    var force = false

    func run() throws {
        var base = output
        for suffix in [CurveKeyFile.secretSuffix, CurveKeyFile.publicSuffix] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
        }
        guard !base.isEmpty, !base.hasSuffix("/") else { throw CommandFailure("--output needs a file name, not \(output)") }
        let pair = try wrap { try CurveKeyPair.generate() }
        let paths = try wrap { try CurveKeyFile.write(pair, base: base, force: force) }
        // The public key only: the secret stays in its file.
        print("wrote \(paths.secret) (secret, mode 0600) and \(paths.public) (public key \(pair.publicKey))")
    }
}
