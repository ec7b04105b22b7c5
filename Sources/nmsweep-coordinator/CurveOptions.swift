import Foundation
import SweepCoordinator

/// `--curve-key` and `--allow-keys`, with their environment fallbacks: both or neither.
enum CurveOptions {
    static let keyFileVariable = "NMSWEEP_CURVE_KEY"
    static let allowKeysVariable = "NMSWEEP_ALLOW_KEYS"

    /// The CURVE settings, nil when neither half is given; throws a message when only one is,
    /// or naming the file and line that cannot be used.
    static func resolve(curveKey: String?, allowKeys: String?,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CoordinatorCurve? {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let keyFile = nonEmpty(curveKey) ?? nonEmpty(environment[keyFileVariable])
        let allowList = nonEmpty(allowKeys) ?? nonEmpty(environment[allowKeysVariable])
        switch (keyFile, allowList) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw CurveOptionsError("--curve-key needs --allow-keys (or \(allowKeysVariable)): the worker public keys to admit")
        case (nil, .some):
            throw CurveOptionsError("--allow-keys needs --curve-key (or \(keyFileVariable)): the coordinator's own .secret file")
        case (let keyFile?, let allowList?):
            return try CoordinatorCurve.load(keyFile: keyFile, allowKeys: allowList)
        }
    }
}

struct CurveOptionsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
