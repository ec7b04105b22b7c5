import Foundation
import NoisyCore
import SweepKit
import Testing

@Suite struct CellKeySpecTests {
    /// Known answers of FIPS 180-4 SHA-256 (the empty string, "abc", the two-block message) and of
    /// the padding boundaries 55/56/63/64 bytes, checked against an independent implementation.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func sha256KnownAnswers(message: String, digest: String) {
        #expect(CellKey(sha256Of: Array(message.utf8)).hex == digest)
    }

    @Test func sha256OfAMillionBytes() {
        #expect(CellKey(sha256Of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func canonicalJSONIsSortedCompactAndShortest() throws {
        let spec = PretrainSpec(noiseRatio: 0.1, seed: 7)
        let json = String(decoding: try CanonicalJSON.encode(spec), as: UTF8.self)
        #expect(json == #"{"batchSize":128,"conv1Channels":16,"conv2Channels":32,"epochs":4,"featureDimension":128,"learningRate":0.05,"momentum":0.9,"noiseModel":"exclusive","noiseRatio":0.1,"optimizer":"sgd","seed":7,"weightDecay":0.0005}"#)
    }

    @Test func canonicalJSONEscapesOnlyWhatItMust() throws {
        let json = String(decoding: try CanonicalJSON.encode(["k": "a\"b\\c\nd/é→"]), as: UTF8.self)
        #expect(json == #"{"k":"a\"b\\c\u000ad/é→"}"#)
    }

    @Test func canonicalJSONRoundTripsThroughJSONDecoder() throws {
        let spec = CellSpec.evaluate(EvaluateSpec(noiseRatio: 0.05, task: "mnist5k->digits", method: .nmtune, seed: 2,
                                                  features: .pretrained(PretrainSpec(noiseRatio: 0.05, seed: 2, sourceSamples: 1000))))
        let bytes = try CanonicalJSON.encode(spec)
        #expect(try JSONDecoder().decode(CellSpec.self, from: Data(bytes)) == spec)
        // Re-encoding the decoded value gives the same bytes.
        #expect(try CanonicalJSON.encode(try JSONDecoder().decode(CellSpec.self, from: Data(bytes))) == bytes)
    }

    @Test func keyIsDigestOfVersionedPrefixAndCanonicalJSON() throws {
        let spec = CellSpec.pretrain(PretrainSpec(noiseRatio: 0.2, seed: 1))
        let json = try CanonicalJSON.encode(spec)
        #expect(CellKey.specPrefix == "nmsweep-cell/v\(SweepKit.resultFormatVersion)\n")
        #expect(try CellKey(spec: spec) == CellKey(sha256Of: Array(CellKey.specPrefix.utf8) + json))
        #expect(try CellKey(spec: spec) != CellKey(sha256Of: json))
    }

    @Test func equalSpecsGiveEqualKeysAndDifferentSpecsDifferentOnes() throws {
        let a = CellSpec.pretrain(PretrainSpec(noiseRatio: 0.1, seed: 1))
        let b = CellSpec.pretrain(PretrainSpec(noiseRatio: 0.1, seed: 1))
        let c = CellSpec.pretrain(PretrainSpec(noiseRatio: 0.1, seed: 2))
        #expect(try CellKey(spec: a) == CellKey(spec: b))
        #expect(try CellKey(spec: a) != CellKey(spec: c))
        // -0.0 == 0.0, so they must give one key.
        #expect(try CellKey(spec: .pretrain(PretrainSpec(noiseRatio: -0.0, seed: 0)))
            == CellKey(spec: .pretrain(PretrainSpec(noiseRatio: 0.0, seed: 0))))
    }

    @Test func nonFiniteNumbersAreRefused() {
        #expect(throws: EncodingError.self) { try CellKey(spec: .pretrain(PretrainSpec(noiseRatio: .nan, seed: 0))) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode([Double.infinity]) }
    }
}
