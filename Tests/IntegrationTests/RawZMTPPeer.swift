import Foundation

/// A TCP client that speaks just enough ZMTP 3.0 (greeting, NULL mechanism, READY as a DEALER)
/// to declare a message frame of any size without sending its bytes: what a hostile peer does to
/// make a receiver allocate. libzmq checks the declared size against `ZMQ_MAXMSGSIZE` when it
/// reads the frame header and drops the connection.
struct RawZMTPPeer {
    let fd: Int32

    /// Connects to `127.0.0.1:port` and completes the handshake (sends greeting and READY; reads the
    /// server's greeting).
    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Greeting: signature, version 3.0, mechanism "NULL", as-server 0, filler.
        var greeting: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0]
        greeting += Array("NULL".utf8) + [UInt8](repeating: 0, count: 16)
        greeting += [0] + [UInt8](repeating: 0, count: 31)
        // READY command: name, then property Socket-Type = DEALER.
        var body: [UInt8] = [5] + Array("READY".utf8)
        body += [11] + Array("Socket-Type".utf8) + [0, 0, 0, 6] + Array("DEALER".utf8)
        try write(greeting + [0x04, UInt8(body.count)] + body)
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 64)
        while received < 64 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 64 - received, 0) }
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            received += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EPIPE) }
            sent += n
        }
    }

    /// Sends the header of a message frame of `size` bytes (long form) and `prefix` of its body.
    func declareFrame(size: UInt64, prefix: [UInt8] = []) throws {
        var header: [UInt8] = [0x02]
        withUnsafeBytes(of: size.bigEndian) { header += $0 }
        try write(header + prefix)
    }

    /// Whether the server closes the connection within the receive timeout (reading and
    /// discarding what it sends before: its READY).
    func closedByServer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 4096, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    func close() { Glibc.close(fd) }
}
