import Foundation
import NoisyCore
import Testing
import TestSupport
import StudyData

/// Data files corrupt or with a mismatched checksum, through the real coordinator and worker
/// (`--worker-argument=--data-dir=DIR` pointing at a damaged copy of the data folder): the cell
/// fails at its first attempt with an error naming the file and both SHA-256s, and the sweep ends.
@Suite("Corrupt data files through the real coordinator and worker")
struct BadDataTests {
    /// A copy of the data folder with `damage` applied to `file`; nil (test skipped) without data.
    static func damagedCopy(_ file: String, label: String, damage: (inout [UInt8]) -> Void) throws -> String? {
        let source = DataCatalog.defaultDirectory()
        guard DataStore.check(source).allSatisfy({ $0.state == .verified }) else { return nil }
        let directory = NSTemporaryDirectory() + "nmsweep-\(label)-data-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for spec in DataCatalog.files {
            try FileManager.default.copyItem(atPath: source + "/" + spec.name, toPath: directory + "/" + spec.name)
        }
        var bytes = try FileBytes.read(directory + "/" + file)
        damage(&bytes)
        try FileBytes.write(bytes, to: directory + "/" + file)
        return directory
    }

    @Test("one flipped byte in digits.csv.gz: its evaluate cell fails at attempt 1 naming the file and both SHA-256s")
    func flippedByte() throws {
        let file = DataCatalog.FileName.digits
        guard let directory = try Self.damagedCopy(file, label: "flip", damage: { $0[$0.count / 2] ^= 0x10 }) else {
            print("skipped: no verified data folder (run `nmsweep data fetch`)")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let actual = try SHA256.hash(fileAt: directory + "/" + file).hex
        let expected = DataCatalog.spec(named: file)!.sha256
        let run = try GridRun.run(GridRun.tinyGrid(), label: "flip", workerArguments: ["--data-dir=\(directory)"])

        #expect(run.outcome.status == 1, "\(run.outcome.standardError.suffix(3000))")
        #expect(run.outcome.standardOutput.contains("1/2 done, 1 failed"), "\(run.outcome.standardOutput)")
        let failed = run.cells.filter { $0.state == "failed" }
        try #require(failed.count == 1)
        #expect(failed[0].kind == "evaluate")
        #expect(failed[0].attempts == 1, "a data error is not retried")
        let error = failed[0].lastError ?? ""
        for text in ["\(directory)/\(file)", "SHA-256 \(actual)", "expected \(expected)"] {
            #expect(error.contains(text), "last_error names '\(text)': \(error)")
            #expect(run.outcome.standardError.contains(text), "the coordinator's output names '\(text)'")
        }
        #expect(run.cells.first { $0.kind == "pretrain" }?.state == "done")
        #expect(run.seconds < 30, "no retry storm: the sweep ended in \(run.seconds) s")
        print("flipped byte: \(run.cells.count) cells, 1 failed at attempt \(failed[0].attempts), sweep \(String(format: "%.1f", run.seconds)) s")
    }

    @Test("a truncated Fashion-MNIST label file: the pre-training fails at attempt 1 naming it; its dependent fails naming the pre-training")
    func truncatedFile() throws {
        let file = DataCatalog.FileName.fashionTrainLabels
        guard let directory = try Self.damagedCopy(file, label: "trunc", damage: { $0.removeLast($0.count / 2) }) else {
            print("skipped: no verified data folder (run `nmsweep data fetch`)")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let actual = try SHA256.hash(fileAt: directory + "/" + file).hex
        let expected = DataCatalog.spec(named: file)!.sha256
        let run = try GridRun.run(GridRun.tinyGrid(methods: "[lp, mlp]", maxAttempts: 5), label: "trunc",
                                  workerArguments: ["--data-dir=\(directory)"])

        #expect(run.outcome.status == 1, "\(run.outcome.standardError.suffix(3000))")
        #expect(run.outcome.standardOutput.contains("0/3 done, 3 failed, 1 assigned"), "\(run.outcome.standardOutput)")
        let pretrain = try #require(run.cells.first { $0.kind == "pretrain" })
        #expect(pretrain.state == "failed")
        #expect(pretrain.attempts == 1, "not retried up to max_attempts 5")
        let error = pretrain.lastError ?? ""
        for text in ["\(directory)/\(file)", "SHA-256 \(actual)", "expected \(expected)"] {
            #expect(error.contains(text), "last_error names '\(text)': \(error)")
            #expect(run.outcome.standardError.contains(text), "the coordinator's output names '\(text)'")
        }
        for cell in run.cells where cell.kind == "evaluate" {
            #expect(cell.state == "failed")
            #expect(cell.attempts == 0)
        }
        #expect(run.seconds < 30, "no retry storm: the sweep ended in \(run.seconds) s")
        print("truncated file: \(run.cells.count) cells failed, pre-training at attempt \(pretrain.attempts), sweep \(String(format: "%.1f", run.seconds)) s")
    }
}
