import NoisyCore
import Testing
import StudyData

/// The model file format: round trip to bitwise-identical features, and clear errors (never a
/// trap) for another version, a bad magic, truncation and corruption.
@Suite struct ModelFileTests {
    static let architecture = PretrainArchitecture(conv1Channels: 3, conv2Channels: 5, featureDimension: 12)
    static let spec = PretrainSpec(noiseRatio: 0.1, seed: 3, conv1Channels: 3, conv2Channels: 5, featureDimension: 12)

    static func network() -> PretrainedNetwork {
        var rng = RandomStream(seed: 11)
        return PretrainedNetwork(architecture: architecture, rng: &rng)
    }

    static func encoded() -> (PretrainedNetwork, ModelMetadata, [UInt8]) {
        let net = network()
        let meta = ModelMetadata(architecture: architecture, spec: spec, realisedNoise: 0.1, sourceTestAccuracy: 0.8125, trainLoss: 0.4375)
        return (net, meta, ModelFile.encode(network: net, metadata: meta))
    }

    static func images() -> Matrix {
        var rng = RandomStream(seed: 5)
        return Matrix(rows: 7, cols: 784) { _, _ in rng.nextFloat() }
    }

    @Test func roundTripGivesBitwiseIdenticalFeatures() throws {
        let (net, meta, bytes) = Self.encoded()
        #expect(Array(bytes.prefix(8)) == Array("NMSWMODL".utf8))
        let decoded = try ModelFile.decode(bytes)
        #expect(decoded.metadata == meta)
        #expect(decoded.fileSHA256 == SHA256.hash(bytes))
        #expect(decoded.network.features(of: Self.images()) == net.features(of: Self.images()))
        #expect(decoded.network.logits(of: Self.images()) == net.logits(of: Self.images()))
        for (a, b) in zip(decoded.network.namedTensors, net.namedTensors) {
            #expect(a.name == b.name && a.value == b.value)
        }
        // Encoding is a function of the content: re-encoding the decoded network gives the same bytes.
        #expect(ModelFile.encode(network: decoded.network, metadata: decoded.metadata) == bytes)
    }

    @Test func otherVersionIsRejected() {
        var bytes = Self.encoded().2
        bytes[8] = 2
        #expect(throws: ModelFileError.self) { try ModelFile.decode(bytes) }
        do { _ = try ModelFile.decode(bytes) } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.description.contains("version 2"))
        }
    }

    @Test func badMagicIsRejected() {
        var bytes = Self.encoded().2
        bytes[0] = UInt8(ascii: "X")
        do { _ = try ModelFile.decode(bytes); Issue.record("decoded a file with a bad magic") } catch {
            #expect(error.code == .badMagic)
        }
    }

    @Test func everyTruncationIsAnError() {
        let bytes = Self.encoded().2
        var lengths = Array(0..<80)
        lengths += stride(from: 80, to: bytes.count, by: 997).map { $0 }
        lengths.append(bytes.count - 1)
        for n in lengths {
            do {
                _ = try ModelFile.decode(Array(bytes.prefix(n)))
                Issue.record("decoded \(n) of \(bytes.count) bytes")
            } catch {
                #expect([.truncated, .hashMismatch].contains(error.code), "length \(n): \(error)")
            }
        }
    }

    @Test func corruptedBytesFailTheHash() {
        let bytes = Self.encoded().2
        for position in [20, bytes.count / 2, bytes.count - 40, bytes.count - 1] {
            var copy = bytes
            copy[position] ^= 0x10
            do { _ = try ModelFile.decode(copy); Issue.record("decoded a file corrupted at \(position)") } catch {
                #expect(error.code == .hashMismatch, "position \(position): \(error)")
                #expect(error.description.contains("corrupted"))
            }
        }
    }

    @Test func wellHashedButInconsistentContentIsInvalid() {
        // Drop the last tensor and re-seal with a correct hash: the decoder must notice the missing tensor.
        let bytes = Self.encoded().2
        let headTensorBytes = 2 + "head.bias".utf8.count + 8 + 10 * 4
        var body = Array(bytes.prefix(bytes.count - 32 - headTensorBytes))
        // Tensor count lives right after the metadata.
        let jsonLength = Int(body[12]) | Int(body[13]) << 8 | Int(body[14]) << 16 | Int(body[15]) << 24
        body[16 + jsonLength] -= 1
        body += SHA256.hash(body).bytes
        do { _ = try ModelFile.decode(body); Issue.record("decoded a file without head.bias") } catch {
            #expect(error.code == .invalidContent)
            #expect(error.description.contains("head.bias"))
        }
    }
}
