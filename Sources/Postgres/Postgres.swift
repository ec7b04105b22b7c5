internal import CLibPQ

/// The Swift face of libpq: connections, parameterised queries, typed rows, COPY, transactions.
///
/// Only this module imports `CLibPQ`; its API shows Swift types only. Every call blocks the calling
/// thread until the server answers, so callers run it on a thread of their own, never on Swift's
/// cooperative pool.
public enum Postgres {
    /// The linked libpq's version, e.g. `"15.18"`.
    public static var libraryVersion: String {
        let v = Int(PQlibVersion())
        return "\(v / 10000).\(v % 10000)"
    }
}
