import Foundation
import ZeroMQ

/// A worker's CURVE settings: its own key pair and the coordinator's public key.
///
/// Sources, first found wins: the own pair from `--curve-key FILE.secret`, `NMSWEEP_CURVE_KEY`
/// (a file), or `NMSWEEP_CURVE_SECRET` (a Z85 secret key: how a coordinator hands one to the local
/// workers it starts); the server key from `--server-key FILE.pub|Z85` or `NMSWEEP_SERVER_KEY`.
/// Both or neither. `description` never shows the secret key.
public struct WorkerCurve: Sendable, CustomStringConvertible {
    public static let keyFileVariable = "NMSWEEP_CURVE_KEY"
    public static let secretVariable = "NMSWEEP_CURVE_SECRET"
    public static let serverKeyVariable = "NMSWEEP_SERVER_KEY"

    let keyPair: CurveKeyPair
    /// The coordinator's Z85 public key.
    public let serverPublicKey: String

    /// This worker's public key (what the coordinator's allow-list must hold).
    public var publicKey: String { keyPair.publicKey }

    /// The settings from flags and `environment` (default: this process's); nil when none of them is given.
    /// - Throws: ``WorkerCurveError`` when only one half is given; ``CurveKeyFileError`` naming a bad file.
    public static func resolve(curveKey: String?, serverKey: String?,
                               environment: [String: String]? = nil) throws -> WorkerCurve? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let keyFile = nonEmpty(curveKey) ?? nonEmpty(environment[keyFileVariable])
        let handedSecret = keyFile == nil ? nonEmpty(environment[secretVariable]) : nil
        let server = nonEmpty(serverKey) ?? nonEmpty(environment[serverKeyVariable])
        let hasOwn = keyFile != nil || handedSecret != nil
        guard hasOwn || server != nil else { return nil }
        guard hasOwn else {
            throw WorkerCurveError("--server-key is given but not the worker's own key pair: add --curve-key FILE.secret (or \(keyFileVariable))")
        }
        guard let server else {
            throw WorkerCurveError("--curve-key is given but not the coordinator's public key: add --server-key FILE.pub|KEY (or \(serverKeyVariable))")
        }
        let pair: CurveKeyPair
        if let keyFile {
            pair = try CurveKeyFile.readKeyPair(secretFile: keyFile)
        } else {
            do {
                pair = try CurveKeyPair(secretKey: handedSecret ?? "")
            } catch {
                throw WorkerCurveError("\(secretVariable) is not a CURVE secret key (40 Z85 characters)")
            }
        }
        return WorkerCurve(keyPair: pair, serverPublicKey: try CurveKeyFile.publicKey(fileOrKey: server))
    }

    public var description: String { "CURVE client \(keyPair.publicKey) of server \(serverPublicKey)" }
}

/// CURVE options given by halves, or a handed-over key that is not one.
public struct WorkerCurveError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension WorkerCurve {
    /// Removes a handed-over secret key (`NMSWEEP_CURVE_SECRET`) from this process's environment
    /// after it has been read: its bytes are overwritten where the kernel placed them, so
    /// `/proc/PID/environ` (which shows the environment as it was at exec, whatever `unsetenv`
    /// does) no longer holds it, and it is unset, so nothing started later inherits it.
    public static func scrubHandedSecret() {
        if let value = getenv(secretVariable) {
            let length = strlen(value)
            memset(value, 0x20, length)  // spaces: the entry stays a valid C string of the same length
        }
        unsetenv(secretVariable)
    }
}
