import Testing
import ZeroMQ

@Suite struct SocketMessagingTests {
    @Test func routerDealerRoundTripOverTCP() throws {
        let context = try Context()
        let (router, endpoint) = try boundRouter(context)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))
        let dealer = try connectedDealer(context, to: endpoint, id: "worker-1")

        let big = pattern(1 << 20, seed: 7)
        let sent: [Frame] = [Array("hello".utf8), [], big, [0], []]
        #expect(try dealer.send(sent))
        let got = try #require(try receive(router, within: 5000))
        #expect(got.count == sent.count + 1)
        #expect(got[0] == Array("worker-1".utf8))
        #expect(Array(got.dropFirst()) == sent)

        let reply: [Frame] = [got[0], [], Array("back".utf8), big]
        #expect(try router.send(reply))
        let back = try #require(try receive(dealer, within: 5000))
        #expect(back == [[], Array("back".utf8), big])
    }

    @Test func inprocPairAndZeroCopyMessage() throws {
        let context = try Context()
        let a = try Socket(context, type: .pair)
        try a.bind("inproc://pair-test")
        let b = try Socket(context, type: .pair)
        try b.connect("inproc://pair-test")
        try a.send([Array("one".utf8), pattern(100)])
        let first = try #require(try b.receiveMessage())
        #expect(first.hasMore)
        #expect(first.bytes == Array("one".utf8))
        let second = try #require(try b.receiveMessage())
        #expect(!second.hasMore)
        #expect(second.count == 100)
        #expect(second.withUnsafeBytes { Array($0) } == pattern(100))
    }

    @Test func dontWaitOnAnEmptySocketIsNilNotAnError() throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://empty")
        #expect(try socket.receiveMultipart(dontWait: true) == nil)
        #expect(try socket.receiveMessage(dontWait: true) == nil)
        #expect(try !socket.isReadable)
    }

    @Test func tooManyPartsAreDiscardedWithEMSGSIZE() throws {
        let context = try Context()
        let push = try Socket(context, type: .push)
        try push.bind("inproc://parts")
        let pull = try Socket(context, type: .pull)
        try pull.connect("inproc://parts")
        try push.send(Array(repeating: [1, 2, 3], count: 20))
        try push.send([[9]])
        #expect {
            _ = try pull.receiveMultipart(maxFrames: 4)
        } throws: { ($0 as? ZeroMQError)?.code == ZeroMQError.Code.messageTooLong }
        // The over-long message was read to its end: the next one is intact.
        #expect(try pull.receiveMultipart(dontWait: true) == [[9]])
    }

    @Test func routerMandatoryRefusesUnknownPeers() throws {
        let context = try Context()
        let (router, _) = try boundRouter(context) { try $0.set(.routerMandatory, true) }
        #expect {
            try router.send([Array("nobody".utf8), [1]])
        } throws: { ($0 as? ZeroMQError)?.isHostUnreachable == true }
    }

    @Test func errorsNameTheOperationAndErrno() throws {
        let context = try Context()
        let socket = try Socket(context, type: .router)
        do {
            try socket.bind("tcp://not an endpoint")
            Issue.record("bind of a malformed endpoint succeeded")
        } catch let error as ZeroMQError {
            #expect(error.code == ZeroMQError.Code.invalidArgument)
            #expect(error.operation == "bind tcp://not an endpoint")
            #expect(error.description.contains("Invalid argument"))
        }
        socket.close()
        #expect(!socket.isOpen)
        #expect(throws: ZeroMQError.self) { try socket.connect("tcp://127.0.0.1:1") }
    }

    @Test func contextShutdownWakesABlockedReceive() throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://blocked")
        context.shutdown()
        #expect {
            _ = try socket.receiveMultipart()
        } throws: { ($0 as? ZeroMQError)?.isTerminated == true }
    }

    @Test func unbindAndDisconnect() throws {
        let context = try Context()
        let (router, endpoint) = try boundRouter(context)
        let dealer = try connectedDealer(context, to: endpoint, id: "d")
        try dealer.send([[1]])
        #expect(try receive(router, within: 5000) != nil)
        try dealer.disconnect(endpoint)
        try router.unbind(endpoint)
        #expect(throws: ZeroMQError.self) { try router.unbind(endpoint) }
    }
}
