import NoisyCore
import SweepKit
import Testing

/// Version 2's lists: several assignments per ASSIGN, several results per RESULT.
@Suite struct ProtocolBatchTests {
    private func report(_ i: Int, timings: [String: Double] = [:]) -> Wire.ResultReport {
        Wire.ResultReport(cell: CellKey(w0: UInt64(i), w1: 2, w2: 3, w3: 4), lease: LeaseID(100 + i), attempt: 1,
                          result: CellResult(accuracy: Double(i) / 10, sve: 1, lsvr: 2, timings: timings))
    }

    private func assignment(_ i: Int, specBytes: Int = 20) -> Wire.Assign {
        Wire.Assign(cell: CellKey(w0: UInt64(i), w1: 0, w2: 0, w3: 1), attempt: 1, lease: LeaseID(i), leaseMilliseconds: 500,
                    specJSON: Array(repeating: UInt8(ascii: "x"), count: specBytes))
    }

    @Test func severalResultsRoundTripInOrderAndTheWorkersFramesAreTheEncodersBytes() throws {
        let reports = (0..<5).map { report($0, timings: $0 == 2 ? ["tune": 0.5] : [:]) }
        let frame = try WireMessage.result(Wire.ResultBatch(reports)).encoded()
        guard case .result(let back) = try WireMessage(decoding: frame) else { Issue.record("not a result"); return }
        #expect(back.results == reports)
        // The worker keeps each result encoded and concatenates them: the same bytes.
        let elements = try reports.map { try $0.encodedElement() }
        #expect(Wire.ResultBatch.frames(of: elements) == [frame])
    }

    @Test func severalAssignmentsRoundTripInOrder() throws {
        let batch = Wire.AssignBatch((0..<7).map { assignment($0) })
        guard case .assign(let back) = try WireMessage(decoding: try WireMessage.assign(batch).encoded()) else {
            Issue.record("not an assign")
            return
        }
        #expect(back == batch)
        for assignment in batch.assignments {
            var writer = BinaryWriter()
            try assignment.encode(to: &writer)
            #expect(writer.bytes.count == assignment.encodedBytes, "what batches are split by")
        }
    }

    @Test func aBatchWhoseCountDisagreesWithItsBytesIsRefused() throws {
        let frame = try WireMessage.result(Wire.ResultBatch([report(1), report(2)])).encoded()
        let countAt = WireFormat.headerBytes
        var more = frame
        more[countAt] = 3
        #expect(decodeError(more).map { if case .truncated = $0 { true } else { false } } == true, "a third result is missing")
        var fewer = frame
        fewer[countAt] = 1
        #expect(decodeError(fewer).map { if case .trailingBytes(.result, _) = $0 { true } else { false } } == true,
                "the second result's bytes are left over")
        var huge = frame
        huge[countAt + 1] = 0x10 // 4097 results claimed in a frame of two
        #expect(decodeError(huge) == .oversized(field: "result.results", length: 4098, limit: WireFormat.maxResults))
        huge[countAt] = 0xFF; huge[countAt + 1] = 0x03 // 1023: within the cap, far beyond the bytes
        #expect(decodeError(huge).map { if case .truncated(field: "result.results", _, _) = $0 { true } else { false } } == true)

        let assigns = try WireMessage.assign(Wire.AssignBatch([assignment(1), assignment(2)])).encoded()
        var oneTooMany = assigns
        oneTooMany[countAt] = 3
        #expect(decodeError(oneTooMany).map { if case .truncated = $0 { true } else { false } } == true)
        var oneTooFew = assigns
        oneTooFew[countAt] = 1
        #expect(decodeError(oneTooFew).map { if case .trailingBytes(.assign, _) = $0 { true } else { false } } == true)
    }

    @Test func emptyAndOverCapBatchesAreRefusedByEncoderAndDecoderAlike() throws {
        #expect(throws: ProtocolError.invalidValue(field: "result.results", reason: "names at least one result")) {
            try WireMessage.result([]).encoded()
        }
        #expect(throws: ProtocolError.invalidValue(field: "assign.assignments", reason: "names at least one assignment")) {
            try WireMessage.assign([]).encoded()
        }
        #expect(decodeError([WireFormat.version, MessageKind.result.rawValue, 0, 0, 0, 0, 0])
                == .invalidValue(field: "result.results", reason: "names at least one result"))
        #expect(decodeError([WireFormat.version, MessageKind.assign.rawValue, 0, 0, 0, 0, 0])
                == .invalidValue(field: "assign.assignments", reason: "names at least one assignment"))
        let tooMany = Wire.ResultBatch((0...WireFormat.maxResults).map { report($0) })
        #expect(throws: ProtocolError.oversized(field: "result.results", length: WireFormat.maxResults + 1, limit: WireFormat.maxResults)) {
            try WireMessage.result(tooMany).encoded()
        }
        let tooManyAssignments = Wire.AssignBatch((0...WireFormat.maxAssignments).map { assignment($0) })
        #expect(throws: ProtocolError.oversized(field: "assign.assignments", length: WireFormat.maxAssignments + 1,
                                                limit: WireFormat.maxAssignments)) {
            try WireMessage.assign(tooManyAssignments).encoded()
        }
    }

    @Test func aBatchTooLargeForOneFrameIsRefusedAndSplitIntoFramesThatFit() throws {
        // 20 specs of 60 KiB: each under the spec cap, 1.2 MB together, over ZMQ_MAXMSGSIZE.
        let big = (0..<20).map { assignment($0, specBytes: 60 << 10) }
        #expect(throws: ProtocolError.self) { try WireMessage.assign(Wire.AssignBatch(big)).encoded() }
        let batches = Wire.AssignBatch.batches(of: big)
        #expect(batches.count > 1)
        #expect(batches.flatMap(\.assignments) == big, "every assignment once, in order")
        for batch in batches {
            let frame = try WireMessage.assign(batch).encoded()
            #expect(frame.count <= WireFormat.maxFrameBytes)
        }
        // Counts split too: 2,500 small assignments make frames of at most the cap.
        let many = (0..<2_500).map { assignment($0) }
        #expect(Wire.AssignBatch.batches(of: many).map(\.assignments.count) == [1024, 1024, 452])
    }

    @Test func frameRangesFollowBothCaps() {
        #expect(WireBatching.frames(sizes: [Int](), maxCount: 4).isEmpty)
        #expect(WireBatching.frames(sizes: [1, 1, 1, 1, 1], maxCount: 2) == [0..<2, 2..<4, 4..<5])
        let half = WireFormat.maxFrameBytes / 2
        #expect(WireBatching.frames(sizes: [half, half, 10], maxCount: 100) == [0..<1, 1..<3])
        // An element larger than any frame stands alone (its encoder names it).
        #expect(WireBatching.frames(sizes: [10, WireFormat.maxFrameBytes * 2, 10], maxCount: 100) == [0..<1, 1..<2, 2..<3])
    }
}
