import Testing
import ZeroMQ

@Suite struct SocketOptionTests {
    @Test func optionsReadBackWhatWasSet() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        try socket.set(.sendHighWaterMark, 123)
        try socket.set(.receiveHighWaterMark, 456)
        try socket.set(.maxMessageSize, 1 << 20)
        try socket.set(.tcpKeepalive, 1)
        try socket.set(.tcpKeepaliveIdle, 30)
        try socket.set(.tcpKeepaliveInterval, 5)
        try socket.set(.tcpKeepaliveCount, 4)
        try socket.set(.reconnectInterval, 50)
        try socket.set(.reconnectIntervalMax, 2000)
        try socket.set(.heartbeatInterval, 1000)
        try socket.set(.heartbeatTTL, 3000)
        try socket.set(.heartbeatTimeout, 3000)
        try socket.set(.immediate, true)
        try socket.set(.routingID, Array("w-42".utf8))
        #expect(try socket.get(.linger) == 0)
        #expect(try socket.get(.sendHighWaterMark) == 123)
        #expect(try socket.get(.receiveHighWaterMark) == 456)
        #expect(try socket.get(.maxMessageSize) == 1 << 20)
        #expect(try socket.get(.tcpKeepalive) == 1)
        #expect(try socket.get(.tcpKeepaliveIdle) == 30)
        #expect(try socket.get(.tcpKeepaliveInterval) == 5)
        #expect(try socket.get(.tcpKeepaliveCount) == 4)
        #expect(try socket.get(.reconnectInterval) == 50)
        #expect(try socket.get(.reconnectIntervalMax) == 2000)
        #expect(try socket.get(.heartbeatInterval) == 1000)
        #expect(try socket.get(.heartbeatTimeout) == 3000)
        #expect(try socket.get(.immediate))
        #expect(try socket.get(.routingID) == Array("w-42".utf8))
        #expect(try socket.get(.fileDescriptor) >= 0)
    }

    @Test func aWrongOptionForTheSocketTypeNamesTheOption() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        do {
            try socket.set(.routerMandatory, true)
            Issue.record("ROUTER_MANDATORY accepted by a DEALER")
        } catch let error as ZeroMQError {
            #expect(error.operation == "setsockopt ZMQ_ROUTER_MANDATORY")
            #expect(error.code == ZeroMQError.Code.invalidArgument)
        }
    }
}
