import Foundation
import NoisyCore
import SweepKit
import Testing

@Suite struct ProtocolRoundTripTests {
    @Test(arguments: MessageKind.allCases)
    func everyKindRoundTripsWithRandomContents(kind: MessageKind) throws {
        var samples = ProtocolSamples(seed: 0xC0FFEE &+ UInt64(kind.rawValue))
        for _ in 0..<300 {
            let message = samples.message(kind)
            let frame = try message.encoded()
            #expect(frame[0] == WireFormat.version)
            #expect(frame[1] == kind.rawValue)
            #expect(frame[2] == 0)
            let decoded = try WireMessage(decoding: frame)
            #expect(decoded == message)
            #expect(decoded.kind == kind)
            // Encoding is a function of the message (timings are written sorted).
            #expect(try decoded.encoded() == frame)
        }
    }

    @Test func aCellSpecTravelsInAnAssign() throws {
        let pretrain = PretrainSpec(noiseRatio: 0.2, seed: 7, sourceSamples: 5000)
        let spec = CellSpec.evaluate(EvaluateSpec(noiseRatio: 0.2, task: "mnist5k->digits", method: .nmtune, seed: 3,
                                                  features: .pretrained(pretrain)))
        let key = try #require(CellKey(hex: String(repeating: "ab", count: 32)))
        let assign = try Wire.Assign(cell: key, attempt: 2, lease: 99, leaseMilliseconds: 30_000, spec: spec)
        guard case .assign(let batch) = try WireMessage(decoding: try WireMessage.assign([assign]).encoded()),
              let decoded = batch.assignments.first, batch.assignments.count == 1 else {
            Issue.record("not an assign")
            return
        }
        #expect(try decoded.spec() == spec)
        #expect(decoded.specJSON == assign.specJSON)
        #expect(String(decoding: decoded.specJSON, as: UTF8.self).contains("\"task\":\"mnist5k->digits\""))
    }

    @Test func nonFiniteAndSignedZeroResultsSurviveBitForBit() throws {
        let result = CellResult(accuracy: .nan, sve: -.infinity, lsvr: .infinity, tunedSVE: -0.0,
                                trainLoss: Double(bitPattern: 0x7FF8_0000_DEAD_BEEF), timings: ["tune": .nan])
        let report = Wire.ResultReport(cell: CellKey(w0: 1, w1: 2, w2: 3, w3: 4), lease: 5, attempt: 1,
                                       result: result)
        guard case .result(let batch) = try WireMessage(decoding: try WireMessage.result([report]).encoded()),
              let back = batch.results.first, batch.results.count == 1 else {
            Issue.record("not a result")
            return
        }
        #expect(back.result.accuracy.bitPattern == result.accuracy.bitPattern)
        #expect(back.result.sve == -.infinity)
        #expect(back.result.lsvr == .infinity)
        #expect(back.result.tunedSVE?.bitPattern == (-0.0 as Double).bitPattern)
        #expect(back.result.trainLoss?.bitPattern == 0x7FF8_0000_DEAD_BEEF)
        #expect(back.result.timings["tune"]?.isNaN == true)
        #expect(back.result.tunedLSVR == nil)
    }

    @Test func aResultFrameIsCompact() throws {
        // An evaluate result with every metric and four phases: a few hundred bytes, not JSON's KBs.
        let result = CellResult(accuracy: 0.91, sve: 3.2, lsvr: 1.1, tunedSVE: 2.9, tunedLSVR: 0.8, trainLoss: 0.3,
                                lossTerms: LossTerms(crossEntropy: 0.3, consistency: 0.01, singular: 2, covariance: 0.2),
                                realisedNoise: 0.2, timings: ["load": 0.1, "extract": 0.2, "tune": 3, "measure": 0.1])
        let frame = try WireMessage.result([Wire.ResultReport(cell: CellKey(w0: 1, w1: 2, w2: 3, w3: 4), lease: 1,
                                                             attempt: 1, result: result)]).encoded()
        // header 3 + count 4 + key 32 + lease 8 + attempt 4 + accuracy 8 + presence 2 + 10 doubles 80
        // + timings 4 + 4 × (4 + 8) + names 4 + 7 + 4 + 7
        #expect(frame.count == 3 + 4 + 32 + 8 + 4 + 8 + 2 + 80 + 4 + 4 * 12 + 22)
    }

    @Test func artifactsSplitIntoChunksAndReassembleInAnyOrder() throws {
        var samples = ProtocolSamples(seed: 42)
        let artifact = samples.bytes(WireFormat.artifactChunkBytes * 2 + 12345)
        let digest = samples.digest()
        let chunks = try Wire.ArtifactChunk.chunks(of: artifact, digest: digest)
        #expect(chunks.count == 3)
        #expect(chunks.map(\.bytes.count) == [WireFormat.artifactChunkBytes, WireFormat.artifactChunkBytes, 12345])
        var decoded: [Wire.ArtifactChunk] = []
        for chunk in chunks {
            let frame = try WireMessage.artifactUpload(chunk).encoded()
            #expect(frame.count <= WireFormat.maxFrameBytes)
            guard case .artifactUpload(let back) = try WireMessage(decoding: frame) else { throw ProtocolError.emptyFrame }
            decoded.append(back)
        }
        #expect(decoded == chunks)
        #expect(decoded.flatMap(\.bytes) == artifact)

        let empty = try Wire.ArtifactChunk.chunks(of: [], digest: digest)
        #expect(empty.count == 1 && empty[0].bytes.isEmpty)
        // Windows of a transfer travel in their own messages.
        for message in [WireMessage.artifactFetch(Wire.ArtifactFetch(digest: digest, first: 8, count: 1)),
                        .artifactStored(Wire.ArtifactStored(digest: digest, next: 3))] {
            #expect(try WireMessage(decoding: message.encoded()) == message)
        }
        #expect(throws: ProtocolError.self) { try WireMessage.artifactFetch(Wire.ArtifactFetch(digest: digest, first: 0, count: 9)).encoded() }
    }
}
