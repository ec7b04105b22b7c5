import Foundation
import Testing
import TestSupport
import ZeroMQ

/// What crosses the wire: a relay between client and server records the TCP byte stream.
@Suite struct CurveCaptureTests {
    static let marker = Array("NMSWEEP-PLAINTEXT-MARKER {\"task\":\"fmnist\"}".utf8)

    /// Sends the marker from a DEALER through a relay to a ROUTER; returns the bytes the relay saw.
    private func capture(curve: Bool) throws -> [UInt8] {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        let authenticator = curve ? try ZAPAuthenticator(context: context, allowedPublicKeys: [clientKeys.publicKey]) : nil
        defer { authenticator?.stop() }
        let (router, endpoint) = try boundRouter(context) { if curve { try $0.makeCurveServer(serverKeys) } }
        let port = try #require(UInt16(endpoint.split(separator: ":").last ?? ""))
        let relay = try TCPRelay(targetPort: port)
        defer { relay.stop() }
        let dealer = try connectedDealer(context, to: "tcp://127.0.0.1:\(relay.port)", id: "captured") {
            if curve { try $0.makeCurveClient(clientKeys, serverPublicKey: serverKeys.publicKey) }
        }
        try dealer.send([Self.marker])
        // Delivered through the relay: so the marker's bytes did cross it, in some form.
        #expect(try receive(router, within: 5000) == [Array("captured".utf8), Self.marker])
        try router.send([Array("captured".utf8), Self.marker])
        #expect(try receive(dealer, within: 5000) == [Self.marker])
        return relay.bytes
    }

    @Test func withoutCurveTheMarkerIsInTheStream() throws {
        let bytes = try capture(curve: false)
        #expect(bytes.contains(run: Self.marker))
    }

    @Test func withCurveTheMarkerIsNotInTheStream() throws {
        let bytes = try capture(curve: true)
        #expect(bytes.count > 2 * Self.marker.count)
        #expect(!bytes.contains(run: Self.marker))
        #expect(!bytes.contains(run: Array("NMSWEEP".utf8)))
    }
}
