internal import CZeroMQ

/// One received or sent message part: its bytes, copied once out of libzmq's buffer.
public typealias Frame = [UInt8]

/// One libzmq socket, closed in `deinit` (or by ``close()``).
///
/// **A socket is used from one thread only** (libzmq sockets are not thread-safe). Create it on
/// the thread that will use it; the type is deliberately not `Sendable`, so the compiler refuses
/// to move it elsewhere. Its ``Context`` is shared and thread-safe.
///
/// New sockets get `LINGER 0`: closing never blocks on unsent messages. The runtime's delivery
/// does not depend on linger (a worker keeps each result until it is acknowledged and sends it
/// again after a reconnect), and an infinite linger would make context termination hang on a peer
/// that is gone.
public final class Socket {
    /// The context this socket belongs to; kept alive until the socket is closed.
    public let context: Context
    public let type: SocketType
    /// nil once closed.
    var handle: UnsafeMutableRawPointer?
    /// A `zmq_msg_t` reused by every receive: stable address, no allocation per message.
    let scratch: UnsafeMutablePointer<zmq_msg_t>

    /// A new socket of `type` in `context`.
    public init(_ context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket \(type)")
        }
        self.context = context
        self.type = type
        self.handle = handle
        self.scratch = .allocate(capacity: 1)
        var linger: Int32 = 0
        _ = zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Closes the socket (idempotent). Later calls fail with `ENOTSOCK`.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// Whether ``close()`` has not been called.
    public var isOpen: Bool { handle != nil }

    /// The open handle, or the error every call on a closed socket gets.
    func open(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else {
            throw ZeroMQError(code: ENOTSOCK, message: "the socket was closed", operation: operation())
        }
        return handle
    }

    /// Accepts connections on `endpoint` (`tcp://127.0.0.1:5555`, `tcp://127.0.0.1:*` for an
    /// ephemeral port — read it back with ``lastEndpoint`` — `inproc://name`, `ipc:///path`).
    public func bind(_ endpoint: String) throws {
        let handle = try open("bind \(endpoint)")
        if zmq_bind(handle, endpoint) != 0 { throw ZeroMQError.last("bind \(endpoint)") }
    }

    /// Connects to `endpoint`; returns at once, libzmq connects (and reconnects) in the background.
    public func connect(_ endpoint: String) throws {
        let handle = try open("connect \(endpoint)")
        if zmq_connect(handle, endpoint) != 0 { throw ZeroMQError.last("connect \(endpoint)") }
    }

    /// Stops accepting on an endpoint given to ``bind(_:)`` (the resolved one for wildcards).
    public func unbind(_ endpoint: String) throws {
        let handle = try open("unbind \(endpoint)")
        if zmq_unbind(handle, endpoint) != 0 { throw ZeroMQError.last("unbind \(endpoint)") }
    }

    /// Drops the connection made by ``connect(_:)`` to `endpoint`.
    public func disconnect(_ endpoint: String) throws {
        let handle = try open("disconnect \(endpoint)")
        if zmq_disconnect(handle, endpoint) != 0 { throw ZeroMQError.last("disconnect \(endpoint)") }
    }

    /// The endpoint of the last bind or connect, with wildcards resolved
    /// (`tcp://127.0.0.1:41234`).
    public var lastEndpoint: String {
        get throws { try get(.lastEndpoint) }
    }
}
