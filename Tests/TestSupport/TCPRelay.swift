import Foundation

/// A TCP man-in-the-middle for tests: listens on an ephemeral loopback port, forwards every
/// connection to `127.0.0.1:targetPort`, and records every byte it forwards (both directions).
public final class TCPRelay: @unchecked Sendable {
    // `@unchecked`: `recorded` and `stopped` are only touched under `lock`; file descriptors are
    // used by the relay's own threads only, after `init` made them.
    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [UInt8] = []
    private var stopped = false

    public init(targetPort: UInt16) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw RelayError("socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw RelayError("bind/listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop(targetPort: targetPort) }
        thread.start()
    }

    /// Everything forwarded so far, both directions interleaved.
    public var bytes: [UInt8] { lock.withLock { recorded } }

    public func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
        return address
    }

    private func acceptLoop(targetPort: UInt16) {
        defer { close(listener) }
        while !isStopped {
            var item = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&item, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(client); close(server); continue }
            let thread = Thread { [self] in forward(client, server) }
            thread.start()
        }
    }

    private func forward(_ a: Int32, _ b: Int32) {
        defer { close(a); close(b) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !isStopped {
            var items = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
            guard poll(&items, 2, 50) > 0 else { continue }
            for (from, to) in [(0, b), (1, a)] where items[from].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(items[from].fd, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                lock.withLock { recorded.append(contentsOf: buffer[0..<n]) }
                var offset = 0
                while offset < n {
                    let w = buffer[offset..<n].withUnsafeBytes { write(to, $0.baseAddress, $0.count) }
                    if w <= 0 { return }
                    offset += w
                }
            }
        }
    }
}

public struct RelayError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run.
    public func contains(run needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
