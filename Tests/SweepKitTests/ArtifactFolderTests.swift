import Foundation
import StudyData
import SweepKit
import Testing

/// ``ArtifactFolder`` on real files: the shared layout, verified commits, damaged files moved
/// aside, the folder's identity, and the start-up checks.
@Suite struct ArtifactFolderTests {
    static func scratch() throws -> String {
        let root = NSTemporaryDirectory() + "nmsweep-folder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7919) } }

    @Test func aWriterCommitsOnlyBytesThatHashToTheirDigest() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try ArtifactFolder.shared(at: root)
        let data = Self.bytes(2 * WireFormat.artifactChunkBytes + 3)
        let digest = ArtifactHasher.digest(of: data)
        #expect(folder.path(digest) == "\(root)/sha256/\(digest.hex.prefix(2))/\(digest.hex)")
        let writer = try folder.writer(for: digest, totalBytes: UInt64(data.count))
        try data.withUnsafeBytes { try writer.append($0) }
        #expect(try folder.size(of: digest) == nil, "nothing under the digest before the commit")
        try writer.commit(kind: "model")
        #expect(try folder.size(of: digest) == UInt64(data.count))
        let reader = try #require(try folder.reader(for: digest))
        #expect(try (0..<reader.chunkCount).flatMap { try reader.chunk($0) } == data)
        #expect(folder.list(limit: 10) == [digest])
        // Wrong bytes: refused, and no temporary file is left behind.
        let wrong = ArtifactHasher.digest(of: [1])
        let bad = try folder.writer(for: wrong, totalBytes: 3)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try bad.append($0) }
        #expect((try #require(throws: ArtifactStoreError.self) { try bad.commit(kind: "model") }).code == .digestMismatch)
        #expect(try folder.size(of: wrong) == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (folder.path(wrong) as NSString).deletingLastPathComponent)
        #expect(leftovers.allSatisfy { !$0.hasSuffix(".tmp") }, "\(leftovers)")
        let over = try folder.writer(for: wrong, totalBytes: 1)
        #expect((try #require(throws: ArtifactStoreError.self) { try [UInt8]([1, 2]).withUnsafeBytes { try over.append($0) } }).code == .sizeMismatch)
    }

    @Test func aTruncatedOrDamagedFileIsFoundAndMovedAside() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try ArtifactFolder.shared(at: root)
        let data = Self.bytes(5000)
        let digest = ArtifactHasher.digest(of: data)
        try folder.store(data, digest: digest, kind: "model")
        #expect(folder.readVerified(digest) == data)
        truncate(folder.path(digest), 4000)
        let reader = try #require(try folder.reader(for: digest))
        #expect(reader.totalBytes == 4000, "a reader serves what is there; the size check is the catalogue's")
        #expect(folder.readVerified(digest) == nil)
        #expect(try folder.size(of: digest) == nil, "moved aside: made or fetched again")
        let aside = try FileManager.default.contentsOfDirectory(atPath: (folder.path(digest) as NSString).deletingLastPathComponent)
        #expect(aside.contains { $0.hasPrefix(digest.hex + ".corrupt-") })
        // A large one is checked in chunks.
        let large = Self.bytes(3 * WireFormat.artifactChunkBytes)
        let largeDigest = ArtifactHasher.digest(of: large)
        try folder.store(large, digest: largeDigest, kind: "model")
        #expect(folder.verify(largeDigest))
        let handle = try #require(FileHandle(forUpdatingAtPath: folder.path(largeDigest)))
        try handle.seek(toOffset: UInt64(WireFormat.artifactChunkBytes + 5))
        try handle.write(contentsOf: Data([0xFF]))
        try handle.close()
        #expect(!folder.verify(largeDigest))
        #expect(try folder.size(of: largeDigest) == nil)
    }

    @Test func aFinishedFileIsAdoptedWithoutACopyAndAFileIsStoredByContent() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try ArtifactFolder.shared(at: root + "/")
        let file = root + "/archive"
        let data = Self.bytes(1234)
        try Data(data).write(to: URL(fileURLWithPath: file))
        let copied = try folder.store(fileAt: file, kind: "command-log")
        #expect(copied.digest == ArtifactHasher.digest(of: data) && copied.bytes == 1234)
        #expect(FileManager.default.fileExists(atPath: file), "store(fileAt:) copies")
        try folder.adopt(file: file, digest: copied.digest, kind: "command-output")
        #expect(!FileManager.default.fileExists(atPath: file), "adopt moves")
        #expect(folder.readVerified(copied.digest) == data)
    }

    @Test func twoMountsOfOneFolderShareItsIdentity() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let link = root + "-mount"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let a = try ArtifactFolder.shared(at: root).identity(), b = try ArtifactFolder.shared(at: link).identity()
        #expect(a == b && a.count == 16)
        let other = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: other) }
        #expect(try ArtifactFolder.shared(at: other).identity() != a)
        #expect(Wire.Ready.artifactFolderMismatch(of: [Wire.Ready.artifactFolderCapability(identity: a)], coordinatorIdentity: b) == nil)
        #expect(Wire.Ready.artifactFolderMismatch(of: [], coordinatorIdentity: a) == nil, "a worker without the folder uploads")
        #expect(Wire.Ready.artifactFolderMismatch(of: [Wire.Ready.artifactFolderCapability(identity: a)], coordinatorIdentity: nil)?
            .contains("the coordinator has none") == true)
    }

    @Test func aMissingOrUnwritableFolderIsAnErrorNamingIt() throws {
        let missing = try #require(throws: ArtifactStoreError.self) { try ArtifactFolder.shared(at: "/nonexistent/nmsweep-artifacts") }
        #expect(missing.description.contains("/nonexistent/nmsweep-artifacts: no such folder"))
        guard getuid() != 0 else { return }  // root writes anywhere
        let root = try Self.scratch()
        defer { chmod(root, 0o755); try? FileManager.default.removeItem(atPath: root) }
        chmod(root, 0o555)
        let unwritable = try #require(throws: ArtifactStoreError.self) { try ArtifactFolder.shared(at: root) }
        #expect(unwritable.description.contains("\(root): cannot write there"))
    }
}
