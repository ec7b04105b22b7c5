internal import CLibPQ

/// The Swift face of libpq (issue 4).
public enum Postgres {
    /// The linked libpq's version, e.g. `"15.18"`.
    public static var libraryVersion: String {
        let v = Int(PQlibVersion())
        return "\(v / 10000).\(v % 10000)"
    }
}
