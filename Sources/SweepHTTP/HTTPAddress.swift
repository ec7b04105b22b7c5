import Foundation

/// Where the HTTP side listens: `--http HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:9100`;
/// port 0 picks a free one).
public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; the error names what is wrong with `text`.
    public init(parsing text: String) throws(SweepHTTPError) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .badArgument("--http \(text): an IPv6 address is written [ADDRESS]:PORT, e.g. [::1]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw .badArgument("--http \(text): give HOST:PORT, e.g. 127.0.0.1:8080")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw .badArgument("--http \(text): the port must be a number in 0…65535 (0: any free port), not \"\(portText)\"")
        }
        self.init(host: String(host), port: port)
    }

    /// Whether only this machine can reach it: 127.0.0.0/8, ::1 or `localhost`.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `http://HOST:PORT` (IPv6 in brackets).
    public var url: String { "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    public var description: String { url }

    /// A TCP port on 127.0.0.1 that nothing listens on now (bound to port 0, read, closed), for
    /// benchmarks and tests that must name a port before starting a process.
    public static func freeLoopbackPort() throws(SweepHTTPError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw .cannotListen("no free TCP port on 127.0.0.1 (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
