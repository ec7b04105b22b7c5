import Foundation
import Testing
import ZeroMQ

/// The refusals a ``ZAPAuthenticator`` keeps for reporting: who, from where, why, and bounded.
@Suite struct ZAPDenialTests {
    @Test func refusalsAreKeptBoundedWithTheClientsPublicKey() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate(), trusted = try CurveKeyPair.generate()
        let authenticator = try ZAPAuthenticator(context: context, allowedPublicKeys: [trusted.publicKey], domain: "nmsweep")
        defer { authenticator.stop() }
        let (router, endpoint) = try boundRouter(context) { try $0.makeCurveServer(serverKeys, zapDomain: "nmsweep") }
        let knocks = ZAPAuthenticator.keptDenials + 8
        let strangers = try (0..<knocks).map { _ in try CurveKeyPair.generate() }
        var dealers: [Socket] = []
        for (i, stranger) in strangers.enumerated() {
            let dealer = try connectedDealer(context, to: endpoint, id: "s\(i)") {
                try $0.set(.reconnectInterval, -1)  // one handshake each
                try $0.makeCurveClient(stranger, serverPublicKey: serverKeys.publicKey)
            }
            dealers.append(dealer)
        }
        let deadline = Date().addingTimeInterval(10)
        while authenticator.deniedCount < knocks && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(authenticator.deniedCount == knocks)

        let (denials, notKept) = authenticator.takeDenials()
        #expect(denials.count == ZAPAuthenticator.keptDenials)
        #expect(notKept == knocks - ZAPAuthenticator.keptDenials)
        let strangerKeys = Set(strangers.map(\.publicKey))
        #expect(denials.allSatisfy { $0.publicKey.map(strangerKeys.contains) == true && $0.reason == "public key not allowed" })
        #expect(denials.allSatisfy { $0.address == "127.0.0.1" }, "\(denials.map(\.address))")
        // No secret key anywhere in what is kept for logs.
        let secrets = Set(strangers.map(\.secretKey))
        #expect(!denials.contains { $0.publicKey.map(secrets.contains) == true })

        let again = authenticator.takeDenials()
        #expect(again.denials.isEmpty && again.notKept == 0)
        for dealer in dealers { dealer.close() }
        router.close()
    }
}
