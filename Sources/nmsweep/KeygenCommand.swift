import ArgumentParser
import CommandSupport
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
        try Self.createParentFolders(of: base)
        let pair = try wrap { try CurveKeyPair.generate() }
        let paths = try wrap { try CurveKeyFile.write(pair, base: base, force: force) }
        // The public key only: the secret stays in its file.
        print("wrote \(paths.secret) (secret, mode 0600) and \(paths.public) (public key \(pair.publicKey))")
    }

    /// Creates the missing folders above `base` with mode 0700 (they will hold a secret key);
    /// folders that exist keep their mode.
    static func createParentFolders(of base: String) throws {
        let parent = (base as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        var missing: [String] = []
        var folder = parent
        while !folder.isEmpty, folder != "/", !FileManager.default.fileExists(atPath: folder) {
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw CommandFailure("cannot create the folder \(folder) for the key files: \(String(cString: strerror(errno)))")
            }
            // mkdir applies the umask; the mode asked for is the mode meant.
            chmod(folder, 0o700)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandFailure("\(parent) is not a folder: cannot write key files under it")
        }
    }
}
