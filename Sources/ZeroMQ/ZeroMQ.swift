internal import CZeroMQ

/// The Swift face of libzmq. Sockets, poller and CURVE arrive with the distributed runtime (issue 5).
public enum ZeroMQ {
    /// The linked libzmq's version, e.g. `"4.3.4"`.
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
