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

    @Test func anUploadIsAssembledHeldAndHandedOverOnce() {
        var table = UploadTable()
        let m = model(1, bytes: WireFormat.artifactChunkBytes + 10)
        #expect(m.chunks.count == 2)
        #expect(table.add(m.chunks[1], from: w1) == .incomplete)
        #expect(!table.hasComplete(m.sha))
        #expect(table.add(m.chunks[0], from: w1) == .complete)
        #expect(table.hasComplete(m.sha) && !table.hasComplete(m.sha.uppercased()))
        #expect(table.openBytes == UInt64(WireFormat.artifactChunkBytes + 10))
        #expect(table.take(m.sha)?.count == WireFormat.artifactChunkBytes + 10)
        #expect(table.take(m.sha) == nil)
        #expect(table.openCount == 0 && table.openBytes == 0)
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
        #expect(table.add(m.chunks[1], from: w1) == .complete)
    }

    @Test func aWorkerHoldsAtMostEightOpenUploads() {
        var table = UploadTable()
        for seed in 0..<UInt8(UploadTable.maxOpenUploadsPerWorker) {
            #expect(table.add(model(seed, bytes: 100).chunks[0], from: w1) == .complete)
        }
        guard case .refused(let reason) = table.add(model(99, bytes: 100).chunks[0], from: w1) else {
            Issue.record("a ninth upload was taken")
            return
        }
        #expect(reason.contains("8 open uploads"))
        #expect(table.add(model(99, bytes: 100).chunks[0], from: w2) == .complete, "the cap is per worker")
        table.drop(of: w1)
        #expect(table.openCount == 1)
        #expect(table.add(model(100, bytes: 100).chunks[0], from: w1) == .complete)
    }

    @Test func allOpenUploadsTogetherDeclareAtMostFourLargestModels() {
        var table = UploadTable()
        // First chunks declaring the largest size: memory follows what arrives, not what is declared.
        func first(_ seed: UInt8) -> Wire.ArtifactChunk {
            let digest = ArtifactDigest(hex: SHA256.hash([seed]).hex)!
            let count = UInt32((WireFormat.maxArtifactBytes + UInt64(WireFormat.artifactChunkBytes) - 1) / UInt64(WireFormat.artifactChunkBytes))
            return Wire.ArtifactChunk(digest: digest, totalBytes: WireFormat.maxArtifactBytes, index: 0, count: count,
                                      bytes: [UInt8](repeating: seed, count: WireFormat.artifactChunkBytes))
        }
        for seed in UInt8(1)...4 { #expect(table.add(first(seed), from: WorkerID("w\(seed)")) == .incomplete) }
        #expect(table.openBytes == UploadTable.maxOpenUploadBytes)
        guard case .refused = table.add(first(5), from: WorkerID("w5")) else {
            Issue.record("a fifth largest upload was taken")
            return
        }
        table.drop(of: WorkerID("w2"))
        #expect(table.add(first(5), from: WorkerID("w5")) == .incomplete)
    }

    @Test func aChunkThatDoesNotFitAbandonsItsUpload() {
        var table = UploadTable()
        let m = model(3, bytes: WireFormat.artifactChunkBytes + 10)
        _ = table.add(m.chunks[0], from: w1)
        guard case .refused(let reason) = table.add(m.chunks[0], from: w1) else {
            Issue.record("a repeated chunk was taken")
            return
        }
        #expect(reason.contains("came twice"))
        #expect(table.openCount == 0 && table.openBytes == 0)
    }

    @Test func aResultThatDidNotTakeItsModelReleasesOnlyItsSendersCompleteUpload() {
        var table = UploadTable()
        let m = model(4, bytes: 100)
        _ = table.add(m.chunks[0], from: w1)
        table.discard(m.sha, of: w2)
        #expect(table.hasComplete(m.sha))
        table.discard(m.sha, of: w1)
        #expect(!table.hasComplete(m.sha) && table.openCount == 0)
    }
}
