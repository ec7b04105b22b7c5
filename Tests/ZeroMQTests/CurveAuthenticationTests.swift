import Foundation
import Testing
import ZeroMQ

/// CURVE with a ZAP allow-list over real TCP on loopback.
@Suite struct CurveAuthenticationTests {
    /// A CURVE ROUTER with an authenticator admitting `allowed`, bound to an ephemeral port.
    private func curveServer(_ context: Context, allowed: Set<String>) throws -> (Socket, String, ZAPAuthenticator, CurveKeyPair) {
        let serverKeys = try CurveKeyPair.generate()
        let authenticator = try ZAPAuthenticator(context: context, allowedPublicKeys: allowed)
        let (router, endpoint) = try boundRouter(context) { try $0.makeCurveServer(serverKeys) }
        return (router, endpoint, authenticator, serverKeys)
    }

    @Test func anAllowedClientExchangesMessages() throws {
        let context = try Context()
        let clientKeys = try CurveKeyPair.generate()
        let (router, endpoint, authenticator, serverKeys) = try curveServer(context, allowed: [clientKeys.publicKey])
        let dealer = try connectedDealer(context, to: endpoint, id: "trusted") {
            try $0.makeCurveClient(clientKeys, serverPublicKey: serverKeys.publicKey)
        }
        try dealer.send([Array("work please".utf8)])
        #expect(try receive(router, within: 5000) == [Array("trusted".utf8), Array("work please".utf8)])
        try router.send([Array("trusted".utf8), Array("here".utf8)])
        #expect(try receive(dealer, within: 5000) == [Array("here".utf8)])
        #expect(authenticator.allowedCount >= 1)
        #expect(authenticator.deniedCount == 0)
        authenticator.stop()
    }

    @Test func anUnknownKeyGetsNothingThroughAndIsCounted() throws {
        let context = try Context()
        let trusted = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let (router, endpoint, authenticator, serverKeys) = try curveServer(context, allowed: [trusted.publicKey])
        let dealer = try connectedDealer(context, to: endpoint, id: "stranger") {
            try $0.makeCurveClient(stranger, serverPublicKey: serverKeys.publicKey)
        }
        try dealer.send([Array("a forged result".utf8)], dontWait: true)
        #expect(try receive(router, within: 1500) == nil)
        let deadline = Date().addingTimeInterval(5)
        while authenticator.deniedCount == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(authenticator.deniedCount >= 1)
        #expect(authenticator.allowedCount == 0)

        // Adding the key to the allow-list lets a new connection with it in.
        dealer.close()
        try authenticator.setAllowedPublicKeys([trusted.publicKey, stranger.publicKey])
        let admitted = try connectedDealer(context, to: endpoint, id: "admitted") {
            try $0.makeCurveClient(stranger, serverPublicKey: serverKeys.publicKey)
        }
        try admitted.send([Array("hello".utf8)])
        #expect(try receive(router, within: 5000) == [Array("admitted".utf8), Array("hello".utf8)])
        authenticator.stop()
    }

    @Test func aPlaintextClientCannotTalkToACurveServer() throws {
        let context = try Context()
        let (router, endpoint, authenticator, _) = try curveServer(context, allowed: [])
        let dealer = try connectedDealer(context, to: endpoint, id: "plain")
        try dealer.send([Array("hi".utf8)], dontWait: true)
        #expect(try receive(router, within: 1000) == nil)
        #expect(authenticator.allowedCount == 0)
        authenticator.stop()
    }

    @Test func malformedAllowListKeysAndASecondHandlerAreRefused() throws {
        let context = try Context()
        #expect(throws: ZeroMQError.self) {
            _ = try ZAPAuthenticator(context: context, allowedPublicKeys: ["not a key"])
        }
        let first = try ZAPAuthenticator(context: context, allowedPublicKeys: [])
        #expect(throws: ZeroMQError.self) {
            _ = try ZAPAuthenticator(context: context, allowedPublicKeys: [])
        }
        first.stop()
        first.stop()
    }
}
