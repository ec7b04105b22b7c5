internal import CZeroMQ

/// The Swift face of libzmq: ``Context``, ``Socket``, ``Poller``, CURVE keys (``CurveKeyPair``,
/// ``ZAPAuthenticator``) and one error type, ``ZeroMQError``.
///
/// Only this module imports `CZeroMQ`; its public API shows Swift types only.
public enum ZeroMQ {
    /// The linked libzmq's version, e.g. `"4.3.4"`.
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether the linked libzmq was built with `capability` (`"curve"`, `"ipc"`, `"draft"`, …).
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }

    /// Whether CURVE encryption and authentication are available (libzmq built with libsodium
    /// or its bundled TweetNaCl).
    public static var hasCurve: Bool { has("curve") }
}
