import Foundation

/// Who can reach a ZeroMQ endpoint: this host only (loopback, ipc, inproc) or the network.
///
/// Used to warn about a coordinator listening beyond this host without CURVE, where anyone who
/// reaches the port can take cells and write results.
public enum EndpointScope {
    /// Whether `endpoint` is reachable from this host only: `inproc://`, `ipc://`, or TCP on an
    /// address in 127.0.0.0/8, `::1`, `::ffff:127.x.y.z` or `localhost`.
    ///
    /// Wildcards (`tcp://*:P`, `tcp://0.0.0.0:P`, `tcp://[::]:P`), interface names and any other
    /// host count as the network, and so does anything that does not parse: the warning errs on
    /// the side of being shown.
    public static func isLoopback(_ endpoint: String) -> Bool {
        let lower = endpoint.lowercased()
        if lower.hasPrefix("inproc://") || lower.hasPrefix("ipc://") { return true }
        guard lower.hasPrefix("tcp://"), let host = tcpHost(String(lower.dropFirst("tcp://".count))) else { return false }
        return isLoopbackHost(host)
    }

    /// The host of `HOST:PORT`, `[V6]:PORT` (a connect's `SOURCE;` prefix dropped), or nil.
    static func tcpHost(_ address: String) -> String? {
        var rest = Substring(address)
        if let semicolon = rest.lastIndex(of: ";") { rest = rest[rest.index(after: semicolon)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        guard let colon = rest.lastIndex(of: ":"), colon > rest.startIndex else { return nil }
        return String(rest[..<colon])
    }

    /// Whether `host` (no brackets) is a loopback address or `localhost`.
    static func isLoopbackHost(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        // ::ffff:127.x.y.z, IPv4-mapped loopback.
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
    }
}
