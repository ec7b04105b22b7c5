import Foundation
import Testing
import ZeroMQ

/// Waits up to `milliseconds` for one multipart message on `socket`; nil if none came.
func receive(_ socket: Socket, within milliseconds: Int) throws -> [Frame]? {
    let poller = Poller()
    try poller.register(socket)
    let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
    while true {
        if let frames = try socket.receiveMultipart(dontWait: true) { return frames }
        let left = Int(deadline.timeIntervalSinceNow * 1000)
        if left <= 0 { return nil }
        _ = try poller.poll(timeout: left)
    }
}

/// A ROUTER bound to an ephemeral loopback port and the endpoint it got.
func boundRouter(_ context: Context, configure: (Socket) throws -> Void = { _ in }) throws -> (Socket, String) {
    let router = try Socket(context, type: .router)
    try configure(router)
    try router.bind("tcp://127.0.0.1:*")
    return (router, try router.lastEndpoint)
}

/// A DEALER with routing id `id`, connected to `endpoint`.
func connectedDealer(_ context: Context, to endpoint: String, id: String,
                     configure: (Socket) throws -> Void = { _ in }) throws -> Socket {
    let dealer = try Socket(context, type: .dealer)
    try dealer.set(.routingID, Array(id.utf8))
    try configure(dealer)
    try dealer.connect(endpoint)
    return dealer
}

/// Deterministic bytes for payloads.
func pattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    var state = UInt32(seed) &* 2_654_435_761 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}
