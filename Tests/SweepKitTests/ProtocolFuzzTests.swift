import NoisyCore
import SweepKit
import Testing

/// 100,000 random and mutated frames: each decodes to a message or throws a ProtocolError —
/// nothing traps — and whatever decodes re-encodes to a frame that decodes to the same message
/// (compared by bytes, since a mutated double may be NaN, and NaN != NaN).
@Suite struct ProtocolFuzzTests {
    @Test func randomAndMutatedFramesNeverTrap() throws {
        var samples = ProtocolSamples(seed: 20_240_601)
        var seeds: [[UInt8]] = []
        for kind in MessageKind.allCases {
            for _ in 0..<4 { seeds.append(try samples.message(kind).encoded()) }
        }
        var decodedCount = 0, refused = 0
        var refusedByKind: [String: Int] = [:]
        for round in 0..<100_000 {
            let frame = mutate(seeds[round % seeds.count], round: round, samples: &samples)
            do {
                let message = try WireMessage(decoding: frame)
                decodedCount += 1
                let again = try message.encoded()
                #expect(try WireMessage(decoding: again).encoded() == again)
            } catch {
                refused += 1
                refusedByKind[String(describing: error).split(separator: " ").prefix(2).joined(separator: " "), default: 0] += 1
            }
        }
        #expect(decodedCount + refused == 100_000)
        // Both outcomes happen: the mutations are neither all harmless nor all fatal.
        #expect(decodedCount > 1000)
        #expect(refused > 10_000)
        print("protocol fuzz: \(decodedCount) decoded, \(refused) refused; top reasons:",
              refusedByKind.sorted { $0.value > $1.value }.prefix(8).map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }

    private func mutate(_ seed: [UInt8], round: Int, samples: inout ProtocolSamples) -> [UInt8] {
        var frame = seed
        switch round % 8 {
        case 0: // pure random bytes, with a valid header half the time
            frame = samples.bytes(samples.int(0...200))
            if samples.bool(), frame.count >= 3 {
                frame[0] = 1
                frame[1] = UInt8(samples.int(1...16))
                frame[2] = 0
            }
        case 1: // flip bits
            for _ in 0..<samples.int(1...4) where !frame.isEmpty {
                frame[samples.int(0...(frame.count - 1))] ^= 1 << UInt8(samples.int(0...7))
            }
        case 2: // overwrite a byte with an extreme value (lengths, counts, bools)
            if !frame.isEmpty { frame[samples.int(0...(frame.count - 1))] = [0, 1, 2, 0x7F, 0x80, 0xFF][samples.int(0...5)] }
        case 3: // truncate
            frame = Array(frame.prefix(samples.int(0...frame.count)))
        case 4: // append garbage
            frame += samples.bytes(samples.int(1...16))
        case 5: // delete a run
            if frame.count > 4 {
                let start = samples.int(3...(frame.count - 1))
                frame.removeSubrange(start..<min(frame.count, start + samples.int(1...8)))
            }
        case 6: // overwrite four bytes with a huge little-endian u32 (a length or count field)
            if frame.count >= 8 {
                let at = samples.int(3...(frame.count - 4))
                frame.replaceSubrange(at..<(at + 4), with: [0xFF, 0xFF, 0xFF, UInt8(samples.int(0...0xFF))])
            }
        default: // change the kind byte: a valid body under another kind
            if frame.count >= 2 { frame[1] = UInt8(samples.int(0...20)) }
        }
        return frame
    }
}
