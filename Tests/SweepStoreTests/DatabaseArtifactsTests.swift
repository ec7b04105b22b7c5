import Foundation
import Postgres
import SweepKit
import SweepStore
import TestSupport
import Testing

/// The coordinator's artifact backend on a real PostgreSQL: chunk rows, rows stored whole before
/// migration 8, the shared folder, and command logs.
@Suite struct DatabaseArtifactsTests {
    static func bytes(_ count: Int, seed: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed) } }
    static func digest(_ bytes: [UInt8]) -> ArtifactDigest { ArtifactHasher.digest(of: bytes) }

    @Test func chunksAreWrittenAsTheyComeAndReadBackOneAtATime() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("chunkrows"))
        let artifacts = DatabaseArtifacts(database: db, folder: nil)
        let model = Self.bytes(2 * WireFormat.artifactChunkBytes + 1234, seed: 1)
        let digest = Self.digest(model)
        let writer = try artifacts.writer(for: digest, totalBytes: UInt64(model.count))
        for chunk in try Wire.ArtifactChunk.chunks(of: model, digest: digest) { try chunk.bytes.withUnsafeBytes { try writer.append($0) } }
        #expect(try artifacts.size(of: digest) == nil, "not catalogued before its commit")
        #expect(try db.connection.query("SELECT count(*)::int FROM artifact_chunks WHERE hash = $1", digest.hex)[0].decode(0, as: Int.self) == 2,
                "full chunks are in the database before the commit")
        try writer.commit(kind: "model")
        #expect(try artifacts.size(of: digest) == UInt64(model.count))
        let reader = try #require(try artifacts.reader(for: digest))
        #expect(reader.chunkCount == 3)
        #expect(try (0..<3).flatMap { try reader.chunk($0) } == model)
        #expect(try db.artifact(hash: digest.hex)?.bytes == model)
        #expect(try db.storedArtifacts(among: [digest.hex]) == [digest.hex])
        // Writing it again (another worker's upload of the same bytes) changes nothing.
        try artifacts.store(model, digest: digest, kind: "model")
        #expect(try db.connection.query("SELECT count(*)::int FROM artifact_chunks", [])[0].decode(0, as: Int.self) == 3)
    }

    @Test func bytesThatDoNotHashToTheirDigestAreRefusedAndLeaveNothing() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("chunkbad"))
        let artifacts = DatabaseArtifacts(database: db, folder: nil)
        let model = Self.bytes(WireFormat.artifactChunkBytes + 10, seed: 2)
        let wrong = Self.digest([1, 2, 3])
        let writer = try artifacts.writer(for: wrong, totalBytes: UInt64(model.count))
        try model.withUnsafeBytes { try writer.append($0) }
        let error = try #require(throws: ArtifactStoreError.self) { try writer.commit(kind: "model") }
        #expect(error.code == .digestMismatch)
        #expect(try artifacts.size(of: wrong) == nil)
        #expect(try db.connection.query("SELECT count(*)::int FROM artifact_chunks", [])[0].decode(0, as: Int.self) == 0)
        // Too many bytes, or too few, are refused too.
        let short = try artifacts.writer(for: Self.digest(model), totalBytes: UInt64(model.count))
        try model.prefix(10).withUnsafeBytes { try short.append($0) }
        #expect((try #require(throws: ArtifactStoreError.self) { try short.commit(kind: "model") }).code == .sizeMismatch)
    }

    @Test func anArtifactStoredWholeBeforeMigrationEightIsReadInChunks() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("chunkrow"))
        let model = Self.bytes(WireFormat.artifactChunkBytes + 77, seed: 3)
        let hash = try db.putArtifact(kind: "model", bytes: model)
        let reader = try #require(try DatabaseArtifacts(database: db, folder: nil).reader(for: ArtifactDigest(hex: hash)!))
        #expect(reader.chunkCount == 2)
        #expect(try reader.chunk(0) + reader.chunk(1) == model)
        // The server still checks a whole row's hash.
        #expect(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO artifacts (hash, kind, bytes, size) VALUES ($1, 'x', $2, 1)",
                                      String(repeating: "0", count: 64), PostgresBytes([1]))
        }
    }

    @Test func theSharedFolderHoldsTheBytesAndTheDatabaseTheCatalogue() throws {
        let root = NSTemporaryDirectory() + "nmsweep-dbfolder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("dbfolder"))
        let folder = try ArtifactFolder.shared(at: root)
        let artifacts = DatabaseArtifacts(database: db, folder: folder)
        let model = Self.bytes(3000, seed: 4)
        let digest = Self.digest(model)
        try artifacts.store(model, digest: digest, kind: "model")
        #expect(FileManager.default.contents(atPath: folder.path(digest)).map { [UInt8]($0) } == model)
        #expect(try db.connection.query("SELECT storage FROM artifacts WHERE hash = $1", digest.hex)[0].decode(0, as: String.self) == "folder")
        #expect(try artifacts.size(of: digest) == 3000)
        // A worker on the folder wrote this one itself: catalogued after checking the file.
        let other = Self.bytes(500, seed: 5)
        try ArtifactFolder(root: root, layout: .shared).store(other, digest: Self.digest(other), kind: "model")
        try artifacts.register(Self.digest(other), kind: "model")
        #expect(try artifacts.size(of: Self.digest(other)) == 500)
        let absent = Self.digest([9])
        #expect((try #require(throws: ArtifactStoreError.self) { try artifacts.register(absent, kind: "model") }).code == .missing)
        // A file cut short on the folder is not the artifact any more.
        truncate(folder.path(digest), 100)
        #expect(try artifacts.size(of: digest) == nil)
        #expect(try artifacts.reader(for: digest) == nil)
        // Without the folder, the catalogue says where the bytes are.
        #expect(throws: ArtifactStoreError.self) { try DatabaseArtifacts(database: db, folder: nil).size(of: Self.digest(other)) }
    }

    @Test func commandLogsAreLinkedToTheirCellAndAttempt() throws {
        let db = try SweepDatabase(url: PostgresTestServer.freshDatabaseURL("celllogs"))
        let sweep = try Fixture.sweep(db, "logs")
        _ = try db.insertCells([NewCell(key: Fixture.key(1), kind: .pretrain, spec: "{}")], sweepID: sweep.id)
        let artifacts = DatabaseArtifacts(database: db, folder: nil)
        for attempt in 1...2 {
            let log = Array("attempt \(attempt)\n".utf8)
            try artifacts.store(log, digest: Self.digest(log), kind: "command-log")
            try artifacts.linkLog(cell: Fixture.key(1), attempt: attempt, artifact: Self.digest(log).hex, worker: "w1")
        }
        let logs = try db.cellLogs(sweepID: sweep.id, cellPrefix: String(Fixture.key(1).prefix(10)))
        #expect(logs.map(\.attempt) == [1, 2] && logs.allSatisfy { $0.workerID == "w1" && $0.bytes == 10 })
        #expect(try db.cellLogs(sweepID: nil, cellPrefix: nil, attempt: 2).map(\.attempt) == [2])
        #expect(try db.artifact(hash: logs[1].artifact)?.bytes == Array("attempt 2\n".utf8))
    }
}
