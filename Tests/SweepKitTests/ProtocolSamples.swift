import NoisyCore
import SweepKit

/// Seeded random messages of every kind, for property-style protocol tests.
struct ProtocolSamples {
    var random: RandomStream

    init(seed: UInt64) { random = RandomStream(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextInt(below: range.count) }
    mutating func bool() -> Bool { random.next() & 1 == 1 }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    mutating func key() -> CellKey { CellKey(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
    mutating func digest() -> ArtifactDigest { ArtifactDigest(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
    mutating func worker() -> WorkerID { WorkerID(bytes: bytes(int(1...40))) }
    mutating func attempt() -> UInt32 { UInt32(int(1...5)) }
    mutating func double() -> Double {
        // Finite values (NaN != NaN would break `==`); NaN payloads have their own test.
        switch int(0...3) {
        case 0: 0
        case 1: -0.0
        case 2: random.nextDouble()
        default: Double(bitPattern: random.next() & ~(0x7FF << 52)) // any finite pattern
        }
    }
    mutating func optionalDouble() -> Double? { bool() ? double() : nil }

    /// Text of up to `maxBytes` UTF-8 bytes, with multi-byte characters.
    mutating func text(maxBytes: Int) -> String {
        let alphabet: [String] = ["a", "Z", "0", " ", "-", "é", "→", "λ", "😀", "\"", "\\", "\n"]
        var out = ""
        while true {
            let next = alphabet[random.nextInt(below: alphabet.count)]
            if out.utf8.count + next.utf8.count > maxBytes || int(0...9) == 0 { return out }
            out += next
        }
    }

    mutating func result() -> CellResult {
        var timings: [String: Double] = [:]
        for _ in 0..<int(0...5) { timings[text(maxBytes: 20)] = double() }
        return CellResult(
            accuracy: double(), sve: optionalDouble(), lsvr: optionalDouble(), tunedSVE: optionalDouble(),
            tunedLSVR: optionalDouble(), trainLoss: optionalDouble(),
            lossTerms: bool() ? LossTerms(crossEntropy: double(), consistency: double(), singular: double(), covariance: double()) : nil,
            realisedNoise: optionalDouble(), artifactSHA256: bool() ? digest().hex : nil, timings: timings)
    }

    mutating func chunk(maxBytes: Int = 3000) -> Wire.ArtifactChunk {
        let total = int(0...maxBytes)
        return Wire.ArtifactChunk(digest: digest(), totalBytes: UInt64(total), index: 0, count: 1, bytes: bytes(total))
    }

    /// A random message of `kind`.
    mutating func message(_ kind: MessageKind) -> WireMessage {
        switch kind {
        case .ready:
            .ready(Wire.Ready(worker: worker(), incarnation: random.next(), pid: random.next32(), slots: UInt32(int(1...1024)),
                              softwareVersion: text(maxBytes: 64), host: text(maxBytes: 255),
                              capabilities: (0..<int(0...4)).map { _ in text(maxBytes: 64) },
                              artifacts: (0..<int(0...20)).map { _ in digest() }))
        case .welcome:
            .welcome(Wire.Welcome(session: random.next(), heartbeatIntervalMilliseconds: UInt32(int(1...60_000)),
                                  liveness: UInt32(int(1...10)), maxFrameBytes: random.next32()))
        case .heartbeat: .heartbeat
        case .credit: .credit(Wire.Credit(slots: UInt32(int(1...1024))))
        case .assign:
            .assign(Wire.AssignBatch((0..<int(1...4)).map { _ in
                Wire.Assign(cell: key(), attempt: attempt(), lease: random.next(), leaseMilliseconds: random.next32(),
                            requiredArtifacts: (0..<int(0...3)).map { _ in digest() }, specJSON: Array(text(maxBytes: 2000).utf8))
            }))
        case .result:
            .result(Wire.ResultBatch((0..<int(1...6)).map { _ in
                Wire.ResultReport(cell: key(), lease: random.next(), attempt: attempt(), result: result())
            }))
        case .ack: .ack(Wire.Ack(cells: (0..<int(1...50)).map { _ in key() }))
        case .failure:
            .failure(Wire.FailureReport(cell: key(), lease: random.next(), attempt: attempt(),
                                        reason: Wire.FailureReason(rawValue: UInt16(int(0...20))), retryable: bool(),
                                        message: text(maxBytes: 4096)))
        case .cancel: .cancel(Wire.Cancel(cell: key(), lease: random.next()))
        case .artifactRequest: .artifactRequest(Wire.ArtifactRequest(digest: digest()))
        case .artifact: .artifact(chunk())
        case .artifactUpload: .artifactUpload(chunk())
        case .artifactUnavailable: .artifactUnavailable(Wire.ArtifactUnavailable(digest: digest(), reason: text(maxBytes: 300)))
        case .drain: .drain(Wire.Drain(graceMilliseconds: random.next32()))
        case .shutdown: .shutdown(Wire.Shutdown(reason: text(maxBytes: 300)))
        case .reregister: .reregister(Wire.Reregister(session: random.next()))
        case .accepted: .accepted(Wire.Accepted(leases: (0..<int(1...40)).map { _ in random.next() }))
        case .artifactFetch: .artifactFetch(Wire.ArtifactFetch(digest: digest(), first: random.next32(), count: UInt32(int(1...8))))
        case .artifactStored: .artifactStored(Wire.ArtifactStored(digest: digest(), next: random.next32()))
        case .commandLog: .commandLog(Wire.CommandLog(cell: key(), attempt: attempt(), digest: digest()))
        }
    }
}
