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
/// of the coordinator and of both workers (each in a sweep of its own: the second sweep shares the
/// first's command cell, so its worker must fetch the output) stays within a fixed bound above the same run with a
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

    /// Two sweeps sharing a command cell: in the first, worker A (`--allow-commands`) runs the
    /// command and uploads its output; in the second, worker B (no commands, its own cache)
    /// fetches it for its evaluate cell (or, on the shared folder, reads it there).
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
        // Two grids with the same command cell (the same key) and different evaluate cells: the
        // first sweep makes the output on worker A, the second needs it on worker B alone.
        func grid(_ method: String) throws -> String {
            let path = scratch + "/grid-\(method).yaml"
            try """
            name: stream-\(backend)-\(paddingMiB)-\(method)
            noise_ratios: [0]
            seeds: 1
            tasks: [digits]
            methods: [\(method)]
            tuning: {epochs: 2}
            extract:
              command: [sh, -c, 'cp -R \(scratch)/prepared/. "$NMSWEEP_OUT"/ && head -c \(paddingMiB)M /dev/zero > "$NMSWEEP_OUT"/padding.bin']
            max_attempts: 1

            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let url = try PostgresTestServer.freshDatabaseURL("stream\(backend)\(paddingMiB)")
        let shared = backend == .database ? [] : ["--artifact-dir", scratch + "/shared"]
        let workerShared = backend == .folderOnWorkers ? shared : []
        let started = Date()
        var peaks = Peaks()
        /// Runs one sweep with one worker to its end, sampling both processes' peaks.
        func sweep(_ grid: String, worker arguments: [String]) throws -> (coordinator: Int, worker: Int) {
            let coordinator = try RunningProcess("nmsweep-coordinator", ["--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*",
                                                                        "--progress", "log"] + shared)
            try #require(coordinator.waitForOutput(containing: "listening on tcp://", timeout: 30), "\(coordinator.standardError)")
            let listening = coordinator.standardError.split(separator: "\n").first { $0.contains("listening on tcp://") }!
            let endpoint = String(listening.split(separator: " ").first { $0.hasPrefix("tcp://") }!)
            let worker = try RunningProcess("nmsweep-worker", ["--connect", endpoint, "--slots", "1"] + arguments + workerShared)
            let deadline = Date().addingTimeInterval(300)
            var peak = (coordinator: 0, worker: 0)
            while coordinator.isRunning && Date() < deadline {
                peak.coordinator = max(peak.coordinator, kilobytes(coordinator.pid))
                peak.worker = max(peak.worker, kilobytes(worker.pid))
                usleep(20_000)
            }
            #expect(coordinator.wait(timeout: 30) == 0, "\(coordinator.standardError.suffix(3000)) \(worker.standardError.suffix(2000))")
            _ = worker.wait(timeout: 30)
            return peak
        }
        let first = try sweep(try grid("lp"), worker: ["--allow-commands", "--cache-dir", scratch + "/a"])
        let second = try sweep(try grid("mlp"), worker: ["--cache-dir", scratch + "/b"])
        peaks.coordinator = max(first.coordinator, second.coordinator)
        peaks.uploader = first.worker
        peaks.fetcher = second.worker
        peaks.seconds = Date().timeIntervalSince(started)
        let db = try PostgresConnection(url: url)
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM cells WHERE kind = 'pretrain'") == 1, "one command cell, shared")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 2, "the second evaluate cell ran on the fetched output")
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
