import NoisyCore
import SweepKit
import Testing

/// Bad frames: each is refused with the ProtocolError that names its fault, and nothing traps.
@Suite struct ProtocolMalformedInputTests {
    @Test(arguments: MessageKind.allCases)
    func everyTruncationOfEveryKindFailsCleanly(kind: MessageKind) throws {
        var samples = ProtocolSamples(seed: 7 &+ UInt64(kind.rawValue))
        for _ in 0..<10 {
            let frame = try samples.message(kind).encoded()
            for length in 0..<frame.count {
                let error = decodeError(Array(frame[0..<length]))
                #expect(error != nil, "a \(length)-byte prefix of a \(frame.count)-byte \(kind) decoded")
                if length >= WireFormat.headerBytes, let error {
                    switch error {
                    case .truncated, .invalidValue: break // a short body, or a count cut to an invalid one
                    default: Issue.record("prefix \(length) of \(kind): \(error)")
                    }
                }
            }
        }
    }

    @Test func headerFaultsAreNamed() throws {
        let heartbeat = try WireMessage.heartbeat.encoded()
        #expect(heartbeat == [2, 3, 0])
        #expect(decodeError([]) == .emptyFrame)
        #expect(decodeError([1, 3, 0]) == .badVersion(1), "version 1 (one result per message) is refused")
        #expect(decodeError([2, 0xEE, 0]) == .unknownKind(0xEE))
        #expect(decodeError([2, 0, 0]) == .unknownKind(0))
        #expect(decodeError([2, 3, 0x80]) == .unsupportedFlags(0x80))
        #expect(decodeError([2, 3, 0, 9, 9]) == .trailingBytes(kind: .heartbeat, count: 2))
        #expect(decodeError([2, 3]) == .truncated(field: "header.flags", needed: 1, remaining: 0))
    }

    @Test func hugeLengthsAndCountsAreRefusedBeforeAllocating() throws {
        // shutdown.reason claims 4 GiB − 1.
        #expect(decodeError([2, 0x0F, 0, 0xFF, 0xFF, 0xFF, 0xFF]) == .oversized(field: "shutdown.reason", length: 0xFFFF_FFFF, limit: 4096))
        // Within the cap but more than the frame holds.
        #expect(decodeError([2, 0x0F, 0, 0x00, 0x10, 0, 0, 65]) == .truncated(field: "shutdown.reason", needed: 4096, remaining: 1))
        // An ack of 4096 keys (the cap) in a frame with room for none.
        #expect(decodeError([2, 0x07, 0, 0x00, 0x10, 0, 0]) == .truncated(field: "ack.cells", needed: 4096 * 32, remaining: 0))
        #expect(decodeError([2, 0x07, 0, 0x01, 0x10, 0, 0]) == .oversized(field: "ack.cells", length: 4097, limit: 4096))
        #expect(decodeError([2, 0x07, 0, 0, 0, 0, 0]) == .invalidValue(field: "ack.cells", reason: "an ack names at least one cell"))
    }

    @Test func invalidValuesAreNamed() throws {
        #expect(decodeError([2, 0x04, 0, 0, 0, 0, 0]) == .invalidValue(field: "credit.slots", reason: "0 is outside 1…1024"))
        #expect(decodeError([2, 0x0F, 0, 2, 0, 0, 0, 0xC3, 0x28]) == .invalidUTF8(field: "shutdown.reason"))
        let key = [UInt8](repeating: 1, count: 32), lease = [UInt8](repeating: 0, count: 8)
        let failure: [UInt8] = [2, 0x08, 0] + key + lease + [1, 0, 0, 0] + [1, 0] + [2] + [0, 0, 0, 0]
        #expect(decodeError(failure) == .invalidValue(field: "failure.retryable", reason: "a bool is 0 or 1, not 2"))
        let attemptZero: [UInt8] = [2, 0x09 - 1, 0] + key + lease + [0, 0, 0, 0] + [1, 0] + [0] + [0, 0, 0, 0]
        #expect(decodeError(attemptZero) == .invalidValue(field: "failure.attempt", reason: "attempts count from 1"))
    }

    @Test func resultFieldFaults() throws {
        let report = Wire.ResultReport(cell: CellKey(w0: 1, w1: 2, w2: 3, w3: 4), lease: 1, attempt: 1, result: CellResult(accuracy: 0.5, timings: ["a": 1, "b": 2]))
        let frame = try WireMessage.result([report]).encoded()
        let presenceOffset = 3 + 4 + 32 + 8 + 4 + 8
        var unknownBits = frame
        unknownBits[presenceOffset + 1] = 0x01
        #expect(decodeError(unknownBits) == .invalidValue(field: "result.presence", reason: "unknown field bits 0x100"))
        var duplicate = frame
        let secondName = frame.count - 8 - 1
        duplicate[secondName] = UInt8(ascii: "a")
        #expect(decodeError(duplicate) == .invalidValue(field: "result.timings", reason: "phase \"a\" appears twice"))
    }

    @Test func artifactChunksMustAgreeWithTheirTotal() throws {
        let digest = ArtifactDigest(w0: 1, w1: 2, w2: 3, w3: 4)
        let wrongCount = Wire.ArtifactChunk(digest: digest, totalBytes: 10, index: 0, count: 2, bytes: Array(repeating: 0, count: 10))
        #expect(throws: ProtocolError.invalidValue(field: "artifact.count", reason: "2 chunks for 10 bytes; expected 1")) {
            try WireMessage.artifact(wrongCount).encoded()
        }
        let shortChunk = Wire.ArtifactChunk(digest: digest, totalBytes: 10, index: 0, count: 1, bytes: [1, 2])
        #expect(throws: ProtocolError.invalidValue(field: "artifact.bytes", reason: "chunk 0 holds 2 bytes; expected 10")) {
            try WireMessage.artifact(shortChunk).encoded()
        }
        let tooBig = Wire.ArtifactChunk(digest: digest, totalBytes: WireFormat.maxArtifactBytes + 1, index: 0, count: 257, bytes: [])
        #expect(throws: ProtocolError.self) { try WireMessage.artifactUpload(tooBig).encoded() }
    }

    @Test func theEncoderRefusesWhatADecoderWouldRefuse() throws {
        let key = CellKey(w0: 0, w1: 0, w2: 0, w3: 0)
        #expect(throws: ProtocolError.oversized(field: "failure.message", length: 4097, limit: 4096)) {
            try WireMessage.failure(Wire.FailureReport(cell: key, lease: 1, attempt: 1, reason: .error, retryable: false,
                                                       message: String(repeating: "x", count: 4097))).encoded()
        }
        #expect(throws: ProtocolError.oversized(field: "assign.spec", length: 65537, limit: 65536)) {
            try WireMessage.assign([Wire.Assign(cell: key, attempt: 1, lease: 1, leaseMilliseconds: 1,
                                               specJSON: Array(repeating: 0x20, count: 65537))]).encoded()
        }
        #expect(throws: ProtocolError.self) { try WireMessage.credit(Wire.Credit(slots: 0)).encoded() }
        #expect(throws: ProtocolError.self) { try WireMessage.ack(Wire.Ack(cells: [])).encoded() }
        #expect(throws: ProtocolError.self) {
            try WireMessage.ready(Wire.Ready(worker: WorkerID(bytes: []), incarnation: 1, pid: 1, slots: 1,
                                             softwareVersion: "v", host: "h")).encoded()
        }
        #expect(throws: ProtocolError.self) {
            try WireMessage.result([Wire.ResultReport(cell: key, lease: 1, attempt: 0, result: CellResult(accuracy: 1))]).encoded()
        }
    }

    @Test func errorsReadAsSentences() {
        #expect(ProtocolError.truncated(field: "assign.spec", needed: 10, remaining: 3).description
                == "truncated at assign.spec: needs 10 bytes, 3 left")
        #expect(ProtocolError.badVersion(9).description.contains("version 9"))
    }
}
