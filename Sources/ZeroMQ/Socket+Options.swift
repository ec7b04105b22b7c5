internal import CZeroMQ

extension Socket {
    /// Sets an integer option.
    public func set(_ option: SocketOption<Int32>, _ value: Int32) throws {
        var value = value
        try setRaw(option.rawValue, option.name, &value, MemoryLayout<Int32>.size)
    }

    /// Sets a 64-bit integer option.
    public func set(_ option: SocketOption<Int64>, _ value: Int64) throws {
        var value = value
        try setRaw(option.rawValue, option.name, &value, MemoryLayout<Int64>.size)
    }

    /// Sets a boolean option (an int 0 or 1 to libzmq).
    public func set(_ option: SocketOption<Bool>, _ value: Bool) throws {
        var value: Int32 = value ? 1 : 0
        try setRaw(option.rawValue, option.name, &value, MemoryLayout<Int32>.size)
    }

    /// Sets a binary option.
    public func set(_ option: SocketOption<[UInt8]>, _ value: [UInt8]) throws {
        try value.withUnsafeBytes { try setRaw(option.rawValue, option.name, $0.baseAddress, $0.count) }
    }

    /// Sets a text option (its UTF-8 bytes, no terminator).
    public func set(_ option: SocketOption<String>, _ value: String) throws {
        let bytes = Array(value.utf8)
        try bytes.withUnsafeBytes { try setRaw(option.rawValue, option.name, $0.baseAddress, $0.count) }
    }

    /// Reads an integer option.
    public func get(_ option: SocketOption<Int32>) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try getRaw(option.rawValue, option.name, &value, &size)
        return value
    }

    /// Reads a 64-bit integer option.
    public func get(_ option: SocketOption<Int64>) throws -> Int64 {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        try getRaw(option.rawValue, option.name, &value, &size)
        return value
    }

    /// Reads a boolean option.
    public func get(_ option: SocketOption<Bool>) throws -> Bool {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try getRaw(option.rawValue, option.name, &value, &size)
        return value != 0
    }

    /// Reads a binary option (at most 255 bytes, the longest libzmq has).
    public func get(_ option: SocketOption<[UInt8]>) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 256)
        var size = buffer.count
        try buffer.withUnsafeMutableBytes { try getRaw(option.rawValue, option.name, $0.baseAddress, &size) }
        return Array(buffer.prefix(size))
    }

    /// Reads a text option (libzmq returns it NUL-terminated).
    public func get(_ option: SocketOption<String>) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        var size = buffer.count
        try buffer.withUnsafeMutableBytes { try getRaw(option.rawValue, option.name, $0.baseAddress, &size) }
        let text = buffer.prefix(size).prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    private func setRaw(_ option: Int32, _ name: String, _ value: UnsafeRawPointer?, _ size: Int) throws {
        let handle = try open("setsockopt \(name)")
        // The value is left out of the error on purpose: it may be a secret key.
        if zmq_setsockopt(handle, option, value, size) != 0 { throw ZeroMQError.last("setsockopt \(name)") }
    }

    private func getRaw(_ option: Int32, _ name: String, _ value: UnsafeMutableRawPointer?, _ size: inout Int) throws {
        let handle = try open("getsockopt \(name)")
        if zmq_getsockopt(handle, option, value, &size) != 0 { throw ZeroMQError.last("getsockopt \(name)") }
    }

    /// Whether a message can be received now without blocking (from ``SocketOption/events``).
    public var isReadable: Bool {
        get throws { try get(.events) & Int32(ZMQ_POLLIN) != 0 }
    }

    /// Makes this socket a CURVE server with `keyPair` (set before ``bind(_:)``).
    /// `zapDomain` makes libzmq ask the ``ZAPAuthenticator`` about every client.
    public func makeCurveServer(_ keyPair: CurveKeyPair, zapDomain: String? = "nmsweep") throws {
        try set(.curveServer, true)
        try set(.curveSecretKey, keyPair.secretKey)
        if let zapDomain { try set(.zapDomain, zapDomain) }
    }

    /// Makes this socket a CURVE client of the server with public key `serverPublicKey`
    /// (set before ``connect(_:)``).
    public func makeCurveClient(_ keyPair: CurveKeyPair, serverPublicKey: String) throws {
        try set(.curveServerKey, serverPublicKey)
        try set(.curvePublicKey, keyPair.publicKey)
        try set(.curveSecretKey, keyPair.secretKey)
    }
}
