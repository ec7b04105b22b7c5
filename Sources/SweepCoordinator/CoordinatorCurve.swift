import Foundation
import ZeroMQ

/// The coordinator's CURVE settings: its own key pair and the worker public keys it admits.
///
/// With them the ROUTER is a CURVE server (every frame encrypted and authenticated) and a ZAP
/// handler admits only the listed keys. `description` never shows the secret key.
public struct CoordinatorCurve: Sendable, CustomStringConvertible {
    /// The ZAP domain of the ROUTER (the handler serves only it).
    public static let zapDomain = "nmsweep"
    /// The environment variable that hands a local worker its secret key (Z85), never argv.
    public static let workerSecretVariable = "NMSWEEP_CURVE_SECRET"
    /// The environment variable that gives a worker the coordinator's public key (Z85 or a file).
    public static let serverKeyVariable = "NMSWEEP_SERVER_KEY"

    let keyPair: CurveKeyPair
    /// The Z85 public keys admitted.
    public private(set) var allowedPublicKeys: Set<String>

    /// The coordinator's public key, for workers' `--server-key`.
    public var publicKey: String { keyPair.publicKey }

    /// Reads the coordinator's `.secret` file and the allow-list (a file of keys or a directory of `*.pub`).
    /// - Throws: ``CurveKeyFileError`` naming the file and line.
    public static func load(keyFile: String, allowKeys: String) throws -> CoordinatorCurve {
        let pair = try CurveKeyFile.readKeyPair(secretFile: keyFile)
        let keys = try CurveKeyFile.readPublicKeys(at: allowKeys)
        return CoordinatorCurve(keyPair: pair, allowedPublicKeys: Set(keys))
    }

    /// Makes a key pair in memory for the workers this process starts, admits its public key, and
    /// returns the environment that hands it over (secret key and server key). The secret goes in
    /// the environment, not argv: `/proc/PID/environ` is readable by the owner only, `cmdline` by all.
    public mutating func admitLocalWorkers() throws -> [String: String] {
        let pair = try CurveKeyPair.generate()
        allowedPublicKeys.insert(pair.publicKey)
        return [Self.workerSecretVariable: pair.secretKey, Self.serverKeyVariable: keyPair.publicKey]
    }

    public var description: String {
        "CURVE server \(keyPair.publicKey) admitting \(allowedPublicKeys.count) worker keys"
    }
}
