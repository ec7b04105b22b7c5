import NoisyCore
import StudyData
import SweepKit
import Testing

/// ``UploadTable`` alone: the caps and the hand-over of models uploaded to the coordinator.
@Suite struct UploadTableTests {
    let w1 = WorkerID("w1"), w2 = WorkerID("w2")

    func model(_ seed: UInt8, bytes: Int) -> (sha: String, chunks: [Wire.ArtifactChunk]) {
        let data = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
        let sha = SHA256.hash(data).hex
        return (sha, try! Wire.ArtifactChunk.chunks(of: data, digest: ArtifactDigest(hex: sha)!))
    }

    @Test func anUploadIsTrackedInOrderAndHandedOverOnce() {
        var table = UploadTable()
        let m = model(1, bytes: WireFormat.artifactChunkBytes + 10)
        #expect(m.chunks.count == 2)
        #expect(table.add(m.chunks[0], from: w1) == .taken(complete: false))
        #expect(!table.hasComplete(m.sha))
        #expect(table.add(m.chunks[1], from: w1) == .taken(complete: true))
        #expect(table.hasComplete(m.sha) && !table.hasComplete(m.sha.uppercased()))
        let first = table.take(m.sha), second = table.take(m.sha)
        #expect(first && !second)
        #expect(table.openCount == 0)
    }

    @Test func chunksOutOfOrderAreRefusedAndAChunkZeroStartsAgain() {
        var table = UploadTable()
        let m = model(5, bytes: 2 * WireFormat.artifactChunkBytes + 10)
        guard case .refused(let reason) = table.add(m.chunks[1], from: w1) else { Issue.record("a chunk with no upload was taken"); return }
        #expect(reason.contains("no open upload"))
        #expect(table.add(m.chunks[0], from: w1) == .taken(complete: false))
        guard case .refused(let skipped) = table.add(m.chunks[2], from: w1) else { Issue.record("a skipped chunk was taken"); return }
        #expect(skipped.contains("expected chunk 1"))
        #expect(table.openCount == 0, "a refused chunk abandons its upload")
        // A resend after a reconnect starts with chunk 0 again.
        #expect(table.add(m.chunks[0], from: w1) == .taken(complete: false))
        #expect(table.add(m.chunks[1], from: w1) == .taken(complete: false))
        #expect(table.add(m.chunks[0], from: w1) == .taken(complete: false))
        #expect(table.add(m.chunks[1], from: w1) == .taken(complete: false))
        #expect(table.add(m.chunks[2], from: w1) == .taken(complete: true))
    }

    @Test func anotherWorkersChunkForAnUploadIsRefused() {
        var table = UploadTable()
        let m = model(2, bytes: WireFormat.artifactChunkBytes + 10)
        _ = table.add(m.chunks[0], from: w1)
        guard case .refused(let reason) = table.add(m.chunks[1], from: w2) else {
            Issue.record("taken")
            return
        }
        #expect(reason.contains("w2") && reason.contains("w1"))
        #expect(table.add(m.chunks[1], from: w1) == .taken(complete: true))
    }

    @Test func aWorkerHoldsAtMostEightOpenUploads() {
        var table = UploadTable()
        for seed in 0..<UInt8(UploadTable.maxOpenUploadsPerWorker) {
            #expect(table.add(model(seed, bytes: 100).chunks[0], from: w1) == .taken(complete: true))
        }
        guard case .refused(let reason) = table.add(model(99, bytes: 100).chunks[0], from: w1) else {
            Issue.record("a ninth upload was taken")
            return
        }
        #expect(reason.contains("8 open uploads"))
        #expect(table.add(model(99, bytes: 100).chunks[0], from: w2) == .taken(complete: true), "the cap is per worker")
        let dropped = table.drop(of: w1)
        #expect(dropped.count == UploadTable.maxOpenUploadsPerWorker)
        #expect(table.openCount == 1)
        #expect(table.add(model(100, bytes: 100).chunks[0], from: w1) == .taken(complete: true))
    }

    @Test func anArtifactOfATerabyteMayBeDeclared() {
        // Nothing is allocated for what is declared: the table holds counters only.
        var table = UploadTable()
        let digest = ArtifactDigest(hex: SHA256.hash([1]).hex)!
        let count = UInt32(WireFormat.maxArtifactBytes / UInt64(WireFormat.artifactChunkBytes))
        let first = Wire.ArtifactChunk(digest: digest, totalBytes: WireFormat.maxArtifactBytes, index: 0, count: count,
                                       bytes: [UInt8](repeating: 1, count: WireFormat.artifactChunkBytes))
        #expect(table.add(first, from: w1) == .taken(complete: false))
    }

    @Test func aResultThatDidNotTakeItsModelReleasesOnlyItsSendersCompleteUpload() {
        var table = UploadTable()
        let m = model(4, bytes: 100)
        _ = table.add(m.chunks[0], from: w1)
        let notTheirs = table.discard(m.sha, of: w2)
        #expect(notTheirs == nil && table.hasComplete(m.sha))
        let theirs = table.discard(m.sha, of: w1)
        #expect(theirs != nil)
        #expect(!table.hasComplete(m.sha) && table.openCount == 0)
    }
}
