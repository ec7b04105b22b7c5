/// Checks of ZeroMQ endpoints given on the command line, before anything binds or dials: libzmq
/// itself answers a malformed address with `Invalid argument (errno 22)`, and reads a port above
/// 65535 modulo 2^16 (`:83441` binds 17905).
public enum EndpointArgument {
    /// An error that names the option, the value and the form expected, with an example.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// A worker's `--connect`: `tcp://HOST:PORT` (PORT in 1…65535) or `ipc://PATH`.
    public static func checkConnect(_ value: String, option: String = "--connect") throws(Problem) {
        let example = "tcp://HOST:PORT, e.g. tcp://127.0.0.1:5555 or tcp://coordinator.example.org:5555"
        guard let (host, port) = try tcpHostAndPort(value, option: option, example: example) else { return }
        guard !host.isEmpty, host != "*" else {
            throw Problem(description: "\(option) \(value): no host to dial; give \(example)")
        }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw Problem(description: "\(option) \(value): the port must be a number in 1…65535, not \"\(port)\"; give \(example)")
        }
    }

    /// The coordinator's `--bind`: `tcp://ADDRESS:PORT` (ADDRESS may be `*` or `0.0.0.0`, PORT
    /// in 1…65535 or `*` for a free port) or `ipc://PATH`.
    public static func checkBind(_ value: String, option: String = "--bind") throws(Problem) {
        let example = "tcp://ADDRESS:PORT, e.g. tcp://127.0.0.1:5555, tcp://0.0.0.0:5555 or tcp://127.0.0.1:* (a free port)"
        guard let (host, port) = try tcpHostAndPort(value, option: option, example: example) else { return }
        guard !host.isEmpty else { throw Problem(description: "\(option) \(value): no address to listen on; give \(example)") }
        if port == "*" || port == "0" { return }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw Problem(description: "\(option) \(value): the port must be a number in 1…65535 or *, not \"\(port)\"; give \(example)")
        }
    }

    /// The host and port of a `tcp://` endpoint; nil for a well-formed `ipc://PATH` (nothing more
    /// to check); anything else is a ``Problem`` naming the option, the value and `example`.
    private static func tcpHostAndPort(_ value: String, option: String, example: String) throws(Problem) -> (host: Substring, port: Substring)? {
        if value.hasPrefix("ipc://") {
            guard value.count > 6 else { throw Problem(description: "\(option) \(value): ipc:// needs a path (e.g. ipc:///tmp/nmsweep.sock)") }
            return nil
        }
        guard value.hasPrefix("tcp://") else {
            throw Problem(description: "\(option) \(value): not an endpoint; give \(example)")
        }
        let rest = value.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":") else {
            throw Problem(description: "\(option) \(value): no port; give \(example)")
        }
        var host = rest[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (host, rest[rest.index(after: colon)...])
    }
}
