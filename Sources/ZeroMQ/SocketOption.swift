internal import CZeroMQ

/// A libzmq socket option whose value has the Swift type `Value`.
///
/// Set and read with ``Socket/set(_:_:)-(SocketOption<Int32>,_)`` and ``Socket/get(_:)-(SocketOption<Int32>)``;
/// the option's type picks the overload, so a wrong value type does not compile.
/// Durations are in milliseconds, sizes in bytes, counts in messages.
public struct SocketOption<Value>: Sendable, CustomStringConvertible {
    /// The `ZMQ_…` constant.
    public let rawValue: Int32
    /// The libzmq name, for error messages.
    public let name: String

    init(_ rawValue: Int32, _ name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    public var description: String { name }
}

extension SocketOption where Value == Int32 {
    /// Outgoing messages queued per peer before sends block or fail (`EAGAIN`); 0 = no limit.
    public static var sendHighWaterMark: Self { .init(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
    /// Incoming messages queued per peer before libzmq stops reading from it; 0 = no limit.
    public static var receiveHighWaterMark: Self { .init(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    /// How long ms unsent messages may delay ``Socket/close()``; -1 forever, 0 drop at once.
    public static var linger: Self { .init(ZMQ_LINGER, "ZMQ_LINGER") }
    /// Blocking receive timeout in ms (-1 forever); a timeout makes receives return nil.
    public static var receiveTimeout: Self { .init(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
    /// Blocking send timeout in ms (-1 forever); a timeout makes sends return false.
    public static var sendTimeout: Self { .init(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
    /// SO_KEEPALIVE: -1 the OS default, 0 off, 1 on.
    public static var tcpKeepalive: Self { .init(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE") }
    /// TCP_KEEPIDLE in seconds (-1 the OS default).
    public static var tcpKeepaliveIdle: Self { .init(ZMQ_TCP_KEEPALIVE_IDLE, "ZMQ_TCP_KEEPALIVE_IDLE") }
    /// TCP_KEEPINTVL in seconds (-1 the OS default).
    public static var tcpKeepaliveInterval: Self { .init(ZMQ_TCP_KEEPALIVE_INTVL, "ZMQ_TCP_KEEPALIVE_INTVL") }
    /// TCP_KEEPCNT (-1 the OS default).
    public static var tcpKeepaliveCount: Self { .init(ZMQ_TCP_KEEPALIVE_CNT, "ZMQ_TCP_KEEPALIVE_CNT") }
    /// First reconnect delay in ms (default 100; -1 no reconnection).
    public static var reconnectInterval: Self { .init(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL") }
    /// Upper bound in ms of the exponential reconnect back-off (0 = no back-off).
    public static var reconnectIntervalMax: Self { .init(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX") }
    /// ZMTP PING interval in ms (0 = off): connection-level liveness under the application's own.
    public static var heartbeatInterval: Self { .init(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL") }
    /// How long ms the peer may wait for our next PING before it drops us (rounded to 0.1 s).
    public static var heartbeatTTL: Self { .init(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL") }
    /// How long ms after a PING without any traffic the connection is dropped.
    public static var heartbeatTimeout: Self { .init(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT") }
    /// Maximum time ms for the ZMTP handshake (incl. CURVE and ZAP) before the connection is dropped.
    public static var handshakeInterval: Self { .init(ZMQ_HANDSHAKE_IVL, "ZMQ_HANDSHAKE_IVL") }
    /// The `ZMQ_POLLIN`/`ZMQ_POLLOUT` bits now (read-only); see ``PollEvents``.
    public static var events: Self { .init(ZMQ_EVENTS, "ZMQ_EVENTS") }
    /// The file descriptor that becomes readable when ``events`` may have changed (read-only,
    /// edge-triggered: after it fires, read ``events`` and drain).
    public static var fileDescriptor: Self { .init(ZMQ_FD, "ZMQ_FD") }
}

extension SocketOption where Value == Int64 {
    /// Largest message part in bytes a peer may send (-1 no limit). A larger one drops the
    /// connection that carried it (see the tests for what libzmq 4.3 does exactly).
    public static var maxMessageSize: Self { .init(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE") }
}

extension SocketOption where Value == Bool {
    /// ROUTER: sending to an unknown routing id fails with `EHOSTUNREACH` instead of vanishing.
    public static var routerMandatory: Self { .init(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY") }
    /// ROUTER: a new connection with a routing id in use takes it over (a reconnecting worker
    /// whose old TCP connection is not yet known dead).
    public static var routerHandover: Self { .init(ZMQ_ROUTER_HANDOVER, "ZMQ_ROUTER_HANDOVER") }
    /// Queue messages only to completed connections (no queueing for a peer not yet connected).
    public static var immediate: Self { .init(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
    /// This socket is the CURVE server (it holds ``curveSecretKey``; clients know its public key).
    public static var curveServer: Self { .init(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") }
    /// Accept IPv6 as well as IPv4.
    public static var ipv6: Self { .init(ZMQ_IPV6, "ZMQ_IPV6") }
}

extension SocketOption where Value == [UInt8] {
    /// The identity a DEALER announces to a ROUTER, 1–255 bytes, not starting with a zero byte.
    public static var routingID: Self { .init(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID") }
}

extension SocketOption where Value == String {
    /// This socket's CURVE public key, 40 Z85 characters.
    public static var curvePublicKey: Self { .init(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY") }
    /// This socket's CURVE secret key, 40 Z85 characters (write it, never log it).
    public static var curveSecretKey: Self { .init(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY") }
    /// Client: the server's CURVE public key, 40 Z85 characters.
    public static var curveServerKey: Self { .init(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY") }
    /// The ZAP domain; a server with one asks the ``ZAPAuthenticator`` about every connection.
    public static var zapDomain: Self { .init(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN") }
    /// The endpoint last bound or connected, wildcards resolved (read-only).
    public static var lastEndpoint: Self { .init(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT") }
}
