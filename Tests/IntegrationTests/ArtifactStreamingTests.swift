import Foundation
import NoisyCore
import Postgres
import StudyData
import SweepKit
import Testing
import TestSupport

/// Artifacts of any size through the coordinator with bounded memory (issue 20): a command cell
/// whose output is a few hundred MiB — above the old 256 MiB whole-artifact cap — uploaded by
/// one worker, stored by the coordinator (in PostgreSQL's chunk rows, or in a shared artifact
/// folder), fetched by a second worker for the evaluate cell. The peak resident memory (VmHWM)
/// of the coordinator and of both workers stays within a fixed bound above the same run with a
/// 1 MiB output: memory does not follow the artifact's size. Scratch files live on tmpfs.
@Suite("Artifacts stream with bounded memory", .serialized)
struct ArtifactStreamingTests {
    /// Peak resident memory allowed above the 1 MiB run, KiB.
    static let boundKilobytes = 64 << 10
    /// The large output's padding, MiB (the archive is a little larger).
    static let largeMiB = 320

    struct Peaks {
        var coordinator = 0, uploader = 0, fetcher = 0
        var artifactBytes = 0
        var seconds = 0.0
    }

    /// Where the coordinator stores artifacts, and whether the workers share its folder (then
    /// no byte of the artifact crosses ZeroMQ).
    enum Backend: String { case database, folder, folderOnWorkers }

    static func kilobytes(_ pid: Int32) -> Int { CoordinatorFuzzTests.memoryKilobytes(pid, "VmHWM") }

    /// One sweep (a command cell and its one evaluate cell): worker A (`--allow-commands`) runs
    /// the command and uploads its output; once it is stored, A leaves and worker B (no
    /// commands, its own cache) fetches it for the evaluate cell.
    static func run(_ backend: Backend, paddingMiB: Int) throws -> Peaks {
        let scratch = "/dev/shm/nmsweep-stream-\(getpid())-\(backend)-\(paddingMiB)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let prepared = scratch + "/prepared/digits"
        try FileManager.default.createDirectory(atPath: prepared, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/shared", withIntermediateDirectories: true)
        let files = CommandSpec.outputFiles(task: "digits")
        let folder = scratch + "/prepared/"
        try NPYArray.write(Matrix(rows: 30, cols: 4) { r, c in Float((r % 3) * 4 + c) + Float(r) * 0.01 }, to: folder + files.trainFeatures)
        try NPYArray.write(labels: (0..<30).map { $0 % 3 }, to: folder + files.trainLabels)
        try NPYArray.write(Matrix(rows: 9, cols: 4) { r, c in Float((r % 3) * 4 + c) }, to: folder + files.testFeatures)
        try NPYArray.write(labels: (0..<9).map { $0 % 3 }, to: folder + files.testLabels)
        let grid = scratch + "/grid.yaml"
        try """
        name: stream-\(backend)-\(paddingMiB)
        noise_ratios: [0]
        seeds: 1
        tasks: [digits]
        methods: [lp]
        tuning: {epochs: 2}
        extract:
          command: [sh, -c, 'cp -R \(scratch)/prepared/. "$NMSWEEP_OUT"/ && head -c \(paddingMiB)M /dev/zero > "$NMSWEEP_OUT"/padding.bin']
        max_attempts: 1

        """.write(toFile: grid, atomically: true, encoding: .utf8)
        let url = try PostgresTestServer.freshDatabaseURL("stream\(backend)\(paddingMiB)")
        let shared = backend == .database ? [] : ["--artifact-dir", scratch + "/shared"]
        let workerShared = backend == .folderOnWorkers ? shared : []
        let started = Date()
        let coordinator = try RunningProcess("nmsweep-coordinator", ["--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*",
                                                                    "--progress", "log"] + shared)
        try #require(coordinator.waitForOutput(containing: "listening on tcp://", timeout: 30), "\(coordinator.standardError)")
        let listening = coordinator.standardError.split(separator: "\n").first { $0.contains("listening on tcp://") }!
        let endpoint = String(listening.split(separator: " ").first { $0.hasPrefix("tcp://") }!)
        var peaks = Peaks()
        func sample(_ process: RunningProcess, into peak: inout Int) {
            let value = kilobytes(process.pid)
            if value > 0 { peak = max(peak, value) }
        }

        let uploader = try RunningProcess("nmsweep-worker", ["--connect", endpoint, "--slots", "1", "--allow-commands",
                                                            "--cache-dir", scratch + "/a", "--log-level", "info"] + workerShared)
        let db = try PostgresConnection(url: url)
        let stored = eventually(timeout: 120) {
            sample(coordinator, into: &peaks.coordinator)
            sample(uploader, into: &peaks.uploader)
            usleep(20_000)
            return (try? FaultHarness.scalar(db, "SELECT count(*)::int FROM artifacts WHERE kind = 'command-output'")) == 1
        }
        try #require(stored, "the command's output was stored: \(coordinator.standardError.suffix(2000)) \(uploader.standardError.suffix(2000))")
        uploader.signal(SIGTERM)
        #expect(uploader.wait(timeout: 30) == 0, "\(uploader.standardError.suffix(2000))")

        let fetcher = try RunningProcess("nmsweep-worker", ["--connect", endpoint, "--slots", "1", "--cache-dir", scratch + "/b",
                                                           "--log-level", "info"] + workerShared)
        while coordinator.isRunning {
            sample(coordinator, into: &peaks.coordinator)
            sample(fetcher, into: &peaks.fetcher)
            usleep(20_000)
            if Date().timeIntervalSince(started) > 300 { break }
        }
        #expect(coordinator.wait(timeout: 30) == 0, "\(coordinator.standardError.suffix(3000)) \(fetcher.standardError.suffix(2000))")
        _ = fetcher.wait(timeout: 30)
        peaks.seconds = Date().timeIntervalSince(started)
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 1, "the evaluate cell ran on the fetched output")
        peaks.artifactBytes = try FaultHarness.scalar(db, "SELECT size::int FROM artifacts WHERE kind = 'command-output'")
        let hash: String = try db.query("SELECT hash FROM artifacts WHERE kind = 'command-output'", [])[0].decode(0)
        let digest = try #require(ArtifactDigest(hex: hash))
        switch backend {
        case .database:
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM artifact_chunks WHERE hash = $1", hash)
                    == Int(ArtifactChunking.count(totalBytes: UInt64(peaks.artifactBytes))))
        case .folder, .folderOnWorkers:
            let file = ArtifactFolder(root: scratch + "/shared", layout: .shared).path(digest)
            #expect(try SHA256.hash(fileAt: file).hex == hash, "the shared folder holds the output, whole")
            #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM artifact_chunks") == 0, "no bytes in the database")
        }
        let cached = ArtifactFolder(root: scratch + "/b/artifacts", layout: .cache)
        if backend == .folderOnWorkers {
            // It read the shared folder: nothing was fetched.
            #expect(!FileManager.default.fileExists(atPath: cached.path(digest)))
        } else {
            // The fetching worker holds it in its cache, verified.
            #expect(cached.verify(digest), "the fetched copy hashes to its digest")
        }
        return peaks
    }

    @Test("a few hundred MiB through the database backend and through the shared folder: memory stays bounded", arguments: [Backend.database, .folder, .folderOnWorkers])
    func largeArtifact(_ backend: Backend) throws {
        try DataStore.verify(DataCatalog.defaultDirectory())
        let small = try Self.run(backend, paddingMiB: 1)
        let large = try Self.run(backend, paddingMiB: Self.largeMiB)
        #expect(large.artifactBytes > 256 << 20, "above the old whole-artifact cap")
        let growth = (coordinator: large.coordinator - small.coordinator, uploader: large.uploader - small.uploader,
                      fetcher: large.fetcher - small.fetcher)
        print("""
            artifact streaming, \(backend) backend: \(large.artifactBytes >> 20) MiB vs \(small.artifactBytes >> 10) KiB; \
            VmHWM coordinator \(large.coordinator >> 10) vs \(small.coordinator >> 10) MiB, \
            uploading worker \(large.uploader >> 10) vs \(small.uploader >> 10) MiB, \
            fetching worker \(large.fetcher >> 10) vs \(small.fetcher >> 10) MiB; \
            \(String(format: "%.1f", large.seconds)) s vs \(String(format: "%.1f", small.seconds)) s
            """)
        #expect(growth.coordinator < Self.boundKilobytes, "coordinator: +\(growth.coordinator >> 10) MiB")
        #expect(growth.uploader < Self.boundKilobytes, "uploading worker: +\(growth.uploader >> 10) MiB")
        #expect(growth.fetcher < Self.boundKilobytes, "fetching worker: +\(growth.fetcher >> 10) MiB")
    }
}
