import Testing
import ZeroMQ

@Suite struct CurveKeyTests {
    @Test func libzmqHasCurve() {
        #expect(ZeroMQ.hasCurve)
    }

    @Test func generatedKeysAreZ85AndThePublicHalfDerivesFromTheSecret() throws {
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        #expect(a.publicKey.utf8.count == 40)
        #expect(a.secretKey.utf8.count == 40)
        #expect(CurveKeyPair.isValidKey(a.publicKey))
        #expect(CurveKeyPair.isValidKey(a.secretKey))
        #expect(a != b)
        #expect(try CurveKeyPair(secretKey: a.secretKey) == a)
    }

    @Test func descriptionNeverShowsTheSecretKey() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.description.contains(pair.publicKey))
        #expect(!pair.description.contains(pair.secretKey))
        #expect(!"\(pair)".contains(pair.secretKey))
    }

    @Test func malformedKeysAreRefused() {
        #expect(throws: ZeroMQError.self) { try CurveKeyPair(secretKey: "too short") }
        #expect(throws: ZeroMQError.self) { try CurveKeyPair(secretKey: String(repeating: "~", count: 40)) }
        #expect(!CurveKeyPair.isValidKey(String(repeating: "\"", count: 40)))
        #expect(!CurveKeyPair.isValidKey(""))
    }

    @Test func z85RoundTripsAndKnowsTheRFCVector() {
        // RFC 32's test vector.
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
        let key = pattern(32, seed: 9)
        #expect(Z85.decode(Z85.encode(key) ?? "") == key)
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("abcd") == nil)
    }
}
