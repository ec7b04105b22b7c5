import Foundation
import NoisyCore
import StudyData
import SweepKit
import SweepRuntime
import SweepWorker
import Testing

/// Command cells on a worker, with real processes and files: the clean environment, the output
/// check, the archive, and every way an attempt can fail (docs/reliability.md, "Command cells").
@Suite struct CommandRunnerTests {
    let root: String
    let runner: CommandRunner
    let cell = CellKey(sha256Of: Array("command-cell".utf8))

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("commands-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        runner = CommandRunner(cacheDirectory: root + "/cache", dataDirectory: root + "/data", stopGraceMilliseconds: 2_000)
    }

    /// Writes a well-formed output of `tasks` into `folder` (features 6×3 / 4×3, labels 0…2).
    func writeOutput(_ folder: String, tasks: [String], testColumns: Int = 3) throws {
        for task in tasks {
            let files = CommandSpec.outputFiles(task: task)
            try FileManager.default.createDirectory(atPath: folder + "/" + Grid.taskLabel(task), withIntermediateDirectories: true)
            try NPYArray.write(Matrix(rows: 6, cols: 3) { r, c in Float(r * 3 + c) }, to: folder + "/" + files.trainFeatures)
            try NPYArray.write(labels: [0, 1, 2, 0, 1, 2], to: folder + "/" + files.trainLabels)
            try NPYArray.write(Matrix(rows: 4, cols: testColumns) { r, c in Float(r - c) }, to: folder + "/" + files.testFeatures)
            try NPYArray.write(labels: [2, 1, 0, 1], to: folder + "/" + files.testLabels)
        }
    }

    /// A command cell running `script` with /bin/sh; `{out}` is in its environment as NMSWEEP_OUT.
    func spec(_ script: String, tasks: [String] = ["digits", "mnist5k->digits"], timeout: Int? = nil,
              environment: [String: String] = [:]) -> CommandSpec {
        CommandSpec(command: ["sh", "-c", script, "extract", "{out}"], noiseRatio: 0.2, seed: 3, tasks: tasks,
                    environment: environment, timeoutSeconds: timeout)
    }

    func failure(_ outcome: CellOutcome) -> (reason: Wire.FailureReason, retryable: Bool, message: String)? {
        if case .failed(let reason, let retryable, let message) = outcome { return (reason, retryable, message) }
        return nil
    }

    @Test func aGoodCommandsOutputBecomesAnArtifactTheEvaluateSideReads() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = root + "/prepared"
        try writeOutput(source, tasks: ["digits", "mnist5k->digits"])
        let outcome = runner.run(spec("echo made by $0; cp -R \(source)/. \"$1\"/"), cell: cell, attempt: 1)
        guard case .finished(let result, let model?) = outcome else {
            Issue.record("expected an artifact, got \(outcome)")
            return
        }
        #expect(result.timings["command"] != nil)
        #expect(GridCell(key: cell, kind: .pretrain, spec: .command(spec("")), canonicalJSON: [], dependency: nil)
            .problem(with: CellResult(accuracy: result.accuracy, artifactSHA256: String(repeating: "a", count: 64), timings: result.timings)) == nil)
        // The evaluate side: the archive in the cache, unpacked once, resolved into the task's four files.
        // The archive went straight into the runner's artifact store (here the cache), never into memory.
        let cache = ArtifactCache(root: root + "/cache")
        let digest = model.digest
        #expect(try SHA256.hash(fileAt: cache.path(digest)).hex == digest.hex)
        #expect(try cache.store.size(of: digest) == model.bytes)
        let outputs = CommandOutputs(cacheDirectory: root + "/worker", cache: cache)
        // The attempt's log is an artifact of its own, whatever the outcome.
        let storedLog = try #require(runner.storeLog(cell: cell, attempt: 1))
        #expect(String(decoding: try #require(cache.read(storedLog.digest)), as: UTF8.self).contains("made by extract"))
        let evaluate = EvaluateSpec(noiseRatio: 0.2, task: "mnist5k->digits", method: .lp, seed: 3,
                                    features: .command(CommandFeatures(cell: cell.hex)))
        let resolved = try outputs.resolve(evaluate, artifact: digest)
        guard case .files(let files) = resolved.features else { Issue.record("not resolved to files"); return }
        #expect(files.trainFeatures.hasSuffix("/mnist5k-to-digits/train_features.npy"))
        #expect(try NPYArray.read(files.testLabels).labels() == [2, 1, 0, 1])
        #expect(files.sha256[2] == (try SHA256.hash(fileAt: source + "/mnist5k-to-digits/test_features.npy").hex))
        let log = try String(contentsOfFile: try outputs.folder(of: digest) + "/_log.txt", encoding: .utf8)
        #expect(log.contains("made by extract"))
        // The attempt's folder is gone; the log stays on the worker.
        #expect(try FileManager.default.contentsOfDirectory(atPath: runner.workRoot).isEmpty)
        #expect(FileManager.default.fileExists(atPath: runner.logPath(cell: cell, attempt: 1)))
    }

    @Test func theEnvironmentIsCleanPlusEnvAndTheWorkersVariables() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        setenv("PGPASSWORD", "database-secret", 1)
        setenv("NMSWEEP_CURVE_KEY", "/keys/worker.secret", 1)
        defer { unsetenv("PGPASSWORD"); unsetenv("NMSWEEP_CURVE_KEY") }
        let outcome = runner.run(spec("env > \"$1\"/env.txt; pwd > \"$1\"/pwd.txt", tasks: [], environment: ["EXTRA": "x {out}"]),
                                 cell: cell, attempt: 2)
        guard case .finished(_, let model?) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        let cache = ArtifactCache(root: root + "/cache")
        let folder = try CommandOutputs(cacheDirectory: root + "/worker", cache: cache).folder(of: model.digest)
        let env = try String(contentsOfFile: folder + "/env.txt", encoding: .utf8)
        let names = Set(env.split(separator: "\n").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        #expect(!env.contains("database-secret") && !env.contains("worker.secret"))
        #expect(names.isSubset(of: ["PATH", "HOME", "TMPDIR", "LANG", "EXTRA", "PWD", "SHLVL", "_", "NMSWEEP_OUT", "NMSWEEP_WORK",
                                    "NMSWEEP_DATA_DIR", "NMSWEEP_NOISE", "NMSWEEP_SEED", "NMSWEEP_TASKS", "OLDPWD"]), "\(names)")
        #expect(env.contains("NMSWEEP_NOISE=0.2\n") && env.contains("NMSWEEP_SEED=3\n"))
        #expect(env.contains("EXTRA=x \(root)/cache/commands/"))
        let pwd = try String(contentsOfFile: folder + "/pwd.txt", encoding: .utf8)
        #expect(pwd.hasPrefix(root + "/cache/commands/") && pwd.hasSuffix("/work\n"))
    }

    @Test func exitOneIsARetryableFailureWithTheLogsLastLines() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outcome = runner.run(spec("for i in $(seq 1 50); do echo line $i; done; echo boom >&2; exit 1"), cell: cell, attempt: 1)
        let failed = try #require(failure(outcome))
        #expect(failed.retryable && failed.reason == .error)
        #expect(failed.message.contains("command failed: exit code 1"))
        #expect(failed.message.contains("boom") && failed.message.contains("line 50") && !failed.message.contains("line 20\n"))
    }

    @Test func aCommandKilledByASignalIsACrash() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let failed = try #require(failure(runner.run(spec("kill -9 $$"), cell: cell, attempt: 1)))
        #expect(failed.retryable && failed.reason == .crashed)
        #expect(failed.message.contains("killed by signal 9 (SIGKILL)"))
    }

    /// The time limit kills the whole process group: a grandchild started in the background dies too.
    @Test func aHangPastTheTimeoutKillsTheProcessGroup() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pidFile = root + "/grandchild.pid"
        let start = monotonicMilliseconds()
        let outcome = runner.run(spec("trap '' TERM; sleep 300 & echo $! > \(pidFile); wait", timeout: 1), cell: cell, attempt: 1)
        let elapsed = monotonicMilliseconds() - start
        let failed = try #require(failure(outcome))
        #expect(failed.retryable && failed.message.contains("timed out after 1 s"))
        #expect(elapsed >= 1_000 && elapsed < 1_000 + CommandRunner.killGraceMilliseconds + 5_000)
        let grandchild = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(200_000)
        // Gone, or a zombie nobody reaped yet (in a container without an init that reaps): not running.
        let stat = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "gone"
        #expect(state == "gone" || state == "Z", "the background sleep \(grandchild) outlived its command's time-out (state \(state))")
    }

    @Test func missingOrMalformedOutputsAreFailedAttemptsNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = root + "/good"
        try writeOutput(good, tasks: ["digits"])
        // Nothing written.
        var failed = try #require(failure(runner.run(spec("true", tasks: ["digits"]), cell: cell, attempt: 1)))
        #expect(failed.reason == .badData && failed.retryable)
        #expect(failed.message.contains("digits/train_features.npy is missing"))
        // Not NPY.
        failed = try #require(failure(runner.run(spec("cp -R \(good)/. \"$1\"/; echo junk > \"$1\"/digits/test_labels.npy", tasks: ["digits"]),
                                                 cell: cell, attempt: 1)))
        #expect(failed.message.contains("digits/test_labels.npy is not a readable NPY file"))
        // Train and test features of different widths.
        let wide = root + "/wide"
        try writeOutput(wide, tasks: ["digits"], testColumns: 5)
        failed = try #require(failure(runner.run(spec("cp -R \(wide)/. \"$1\"/", tasks: ["digits"]), cell: cell, attempt: 1)))
        #expect(failed.message.contains("digits/test_features.npy has 5 columns"))
        // Labels as floats.
        failed = try #require(failure(runner.run(spec("cp -R \(good)/. \"$1\"/; cp \"$1\"/digits/train_features.npy \"$1\"/digits/train_labels.npy",
                                                      tasks: ["digits"]), cell: cell, attempt: 1)))
        #expect(failed.message.contains("digits/train_labels.npy") && failed.message.contains("integer"))
        // A symbolic link in the output: refused (it could point anywhere on the worker).
        failed = try #require(failure(runner.run(spec("cp -R \(good)/. \"$1\"/; ln -s /etc/passwd \"$1\"/link", tasks: ["digits"]),
                                                 cell: cell, attempt: 1)))
        #expect(failed.message.contains("link is not a regular file"))
    }

    @Test func stoppingTheRunnerForwardsSIGTERMAndHandsTheAttemptBack() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let marker = root + "/terminated"
        let done = BlockingQueue<CellOutcome>()
        let thread = Thread { [runner, cell] in
            done.push(runner.run(CommandSpec(command: ["sh", "-c", "trap 'echo term > \(marker); exit 143' TERM; sleep 300 & wait"],
                                             noiseRatio: 0, seed: 0, tasks: []), cell: cell, attempt: 1))
        }
        thread.start()
        usleep(500_000)
        runner.stopAll()
        let outcome = done.pop()
        let failed = try #require(failure(outcome))
        #expect(failed.reason == .cancelled && failed.retryable)
        #expect(FileManager.default.fileExists(atPath: marker), "the command never saw the SIGTERM")
        // A stopped runner starts nothing more.
        let after = try #require(failure(runner.run(spec("true", tasks: []), cell: cell, attempt: 2)))
        #expect(after.reason == .cancelled)
    }

    /// An output several times the chunk size packs and unpacks byte for byte, in chunks.
    @Test func largeOutputsRoundTripThroughTheArchive() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/large"
        try FileManager.default.createDirectory(atPath: folder + "/a/b", withIntermediateDirectories: true)
        var big = [UInt8](repeating: 0, count: 5 * (1 << 20) + 123)
        for i in big.indices { big[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        try Data(big).write(to: URL(fileURLWithPath: folder + "/a/b/big.bin"))
        try Data("small".utf8).write(to: URL(fileURLWithPath: folder + "/z.txt"))
        try Data().write(to: URL(fileURLWithPath: folder + "/a/empty"))
        let packed = try OutputArchive.pack(folder: folder, into: root + "/archive")
        #expect(packed.files == 3)
        #expect(packed.sha256 == (try SHA256.hash(fileAt: root + "/archive").hex))
        // Packing is deterministic.
        #expect(try OutputArchive.pack(folder: folder, into: root + "/archive2").sha256 == packed.sha256)
        try OutputArchive.unpack(root + "/archive", into: root + "/unpacked")
        #expect(FileManager.default.contents(atPath: root + "/unpacked/a/b/big.bin") == Data(big))
        #expect(FileManager.default.contents(atPath: root + "/unpacked/z.txt") == Data("small".utf8))
        #expect(FileManager.default.contents(atPath: root + "/unpacked/a/empty") == Data())
        // A cut archive is refused, not half unpacked silently.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/archive"))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: root + "/cut"))
        #expect(throws: OutputArchiveError.self) { try OutputArchive.unpack(root + "/cut", into: root + "/cut-out") }
    }
}
