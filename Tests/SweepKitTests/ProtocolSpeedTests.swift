import Foundation
import NoisyCore
import SweepKit
import Testing

/// Prints the codec's throughput for result messages (the coordinator's hot path, which must
/// carry 20,000 results/s). Timing is not asserted here: it belongs to benchmarks.
@Suite struct ProtocolSpeedTests {
    @Test func resultEncodeDecodeRate() throws {
        let result = CellResult(accuracy: 0.91, sve: 3.2, lsvr: 1.1, tunedSVE: 2.9, tunedLSVR: 0.8, trainLoss: 0.3,
                                lossTerms: LossTerms(crossEntropy: 0.3, consistency: 0.01, singular: 2, covariance: 0.2),
                                realisedNoise: 0.2, timings: ["load": 0.1, "extract": 0.2, "tune": 3, "measure": 0.1])
        let message = WireMessage.result([Wire.ResultReport(cell: CellKey(w0: 1, w1: 2, w2: 3, w3: 4), lease: 77, attempt: 1,
                                                           result: result)])
        let iterations = 200_000
        var bytes = 0
        var last: WireMessage?
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations {
            let frame = try message.encoded()
            bytes &+= frame.count
            last = try WireMessage(decoding: frame)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(last == message)
        let frame = try message.encoded()
        let encodeStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { _ = try message.encoded() }
        let encodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - encodeStart) / 1e9
        let decodeStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { last = try WireMessage(decoding: frame) }
        let decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - decodeStart) / 1e9
        #expect(last == message)
        print(String(format: "protocol speed: encode %.0f/s, decode %.0f/s", Double(iterations) / encodeSeconds,
                     Double(iterations) / decodeSeconds))
        print(String(format: "protocol speed: result message (%d bytes) encode+decode %.0f/s (%d in %.3f s)",
                     bytes / iterations, Double(iterations) / seconds, iterations, seconds))
    }
}
