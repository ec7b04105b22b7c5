import Testing
import ZeroMQ

/// What libzmq 4.3 does with a message part larger than the receiver's ZMQ_MAXMSGSIZE: the
/// receiving engine treats it as a protocol error and drops the TCP connection. The oversized
/// message is never delivered, nor are the messages that followed it in the same TCP stream (one
/// still queued in the sender when the connection drops goes out after the reconnection);
/// the DEALER reconnects by itself (after RECONNECT_IVL) and messages sent after that arrive.
@Suite struct MaxMessageSizeTests {
    @Test func oversizedMessageDropsTheConnectionAndWhatFollowedIt() throws {
        let context = try Context()
        let (router, endpoint) = try boundRouter(context) { try $0.set(.maxMessageSize, 1024) }
        let dealer = try connectedDealer(context, to: endpoint, id: "big") { try $0.set(.reconnectInterval, 20) }

        // A message at the limit passes.
        try dealer.send([pattern(1024)])
        #expect(try receive(router, within: 5000) == [Array("big".utf8), pattern(1024)])

        // One byte over: dropped, and the connection with it. A message queued behind it is lost
        // with the connection when it was already in the TCP stream; when the DEALER's I/O thread
        // had not written it yet (a loaded machine), it goes out after the reconnection. Either
        // way the oversized message itself never arrives.
        try dealer.send([pattern(1025)])
        try dealer.send([Array("after".utf8)])
        var early: [[UInt8]] = []
        while let message = try receive(router, within: 1000) { early.append(message.last ?? []) }
        #expect(!early.contains(pattern(1025)))
        #expect(early.allSatisfy { $0 == Array("after".utf8) })

        // Reconnected: a message sent now arrives, and the oversized one never shows up.
        try dealer.send([Array("later".utf8)])
        var late = try receive(router, within: 5000)
        if late == [Array("big".utf8), Array("after".utf8)], early.isEmpty { late = try receive(router, within: 5000) }
        #expect(late == [Array("big".utf8), Array("later".utf8)])
        #expect(try receive(router, within: 200) == nil)
    }

    @Test func theLimitAppliesToEachPartNotTheWholeMessage() throws {
        let context = try Context()
        let (router, endpoint) = try boundRouter(context) { try $0.set(.maxMessageSize, 1024) }
        let dealer = try connectedDealer(context, to: endpoint, id: "parts")
        let parts = [pattern(1000), pattern(1000, seed: 2), pattern(1000, seed: 3)]
        try dealer.send(parts)
        #expect(try receive(router, within: 5000) == [Array("parts".utf8)] + parts)
    }
}
