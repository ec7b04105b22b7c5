import ArgumentParser
import Foundation
import CommandSupport
import SweepKit
import SweepStore

/// `nmsweep logs`: the stdout/stderr logs of command cells' attempts, each stored as an artifact.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the logs of command cells' attempts (stdout and stderr, success or failure).",
        discussion: "Without --cell, lists the attempts that have a log. With --cell (a key or a prefix of one, as `nmsweep status` shows it), prints the log of each of its attempts, or of --attempt N. Logs are artifacts: those in a shared artifact folder need --artifact-dir.")
    @OptionGroup var store: StoreOptions

    @Option(help: "Only cells of this sweep.")
    var sweep: String?

    @Option(help: "The cell: its key, or a prefix of it of at least 8 hex digits.")
    var cell: String?

    @Option(help: "Only this attempt (1 = the first).")
    var attempt: Int?

    @Option(help: "The shared artifact folder (the coordinator's --artifact-dir), for logs stored there.")
    var artifactDir: String?

    func validate() throws {
        if let cell, cell.count < 8 || cell.contains(where: { !$0.isHexDigit }) {
            throw ValidationError("--cell must be a cell key or a prefix of it of at least 8 hex digits, not '\(cell)'")
        }
        if let attempt, attempt < 1 { throw ValidationError("--attempt counts from 1, not \(attempt)") }
    }

    func run() throws {
        let db = try store.open()
        try wrap {
            let sweepID = try sweep.map { try db.requireSweep(named: $0).id }
            let logs = try db.cellLogs(sweepID: sweepID, cellPrefix: cell?.lowercased(), attempt: attempt)
            guard let cell else {
                if logs.isEmpty { print("no command logs\(sweep.map { " in sweep \"\($0)\"" } ?? "")") }
                for log in logs {
                    print("\(log.cellKey.prefix(16))  attempt \(log.attempt)  \(log.bytes) bytes  \(log.workerID ?? "-")  \(log.createdAt)")
                }
                return
            }
            let cells = Set(logs.map(\.cellKey))
            guard !logs.isEmpty else { throw CommandFailure("no command log of cell \(cell)\(attempt.map { ", attempt \($0)" } ?? "")") }
            guard cells.count == 1 else {
                throw CommandFailure("--cell \(cell) names \(cells.count) cells (\(cells.sorted().map { String($0.prefix(16)) }.joined(separator: ", "))): give more of its key")
            }
            let folder = try artifactDir.map { try ArtifactFolder.shared(at: $0) }
            let artifacts = DatabaseArtifacts(database: db, folder: folder)
            for log in logs {
                if logs.count > 1 { print("=== cell \(log.cellKey.prefix(16)), attempt \(log.attempt) (\(log.workerID ?? "unknown worker"), \(log.createdAt)) ===") }
                guard let digest = ArtifactDigest(hex: log.artifact), let reader = try artifacts.reader(for: digest) else {
                    throw CommandFailure("the log of attempt \(log.attempt) (artifact \(log.artifact.prefix(12))) is not in \(artifacts.location)")
                }
                // Streamed, one chunk at a time, whatever the log's size.
                for index in 0..<reader.chunkCount { FileHandle.standardOutput.write(Data(try reader.chunk(index))) }
            }
        }
    }
}
