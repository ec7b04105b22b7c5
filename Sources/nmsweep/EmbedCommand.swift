import ArgumentParser
import CommandSupport
import Foundation
import NoisyCore
import TextEncoder
import StudyData

/// `nmsweep embed`: sentence embeddings of a text file with all-MiniLM-L6-v2, as an NPY matrix.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts (one per line, UTF-8) with all-MiniLM-L6-v2 into a float32 N×384 NPY file.",
        discussion: """
            The embeddings are sentence-transformers' `encode` for all-MiniLM-L6-v2 (mean pooling, L2-normalised; \
            cosine >= 0.9999 against the real library), computed on nmsweep's compute core without Python. \
            The model comes from the data folder (`nmsweep data fetch`). Texts longer than 254 word pieces \
            are truncated, as the reference does. Empty lines are empty texts; a final newline adds none.
            """)

    @Option(help: "The text file: one text per line, UTF-8.") var input: String
    @Option(help: "The NPY file to write (float32, N×384; replaced atomically).") var out: String
    @Option(help: "Threads (default: every core).") var threads: Int?
    @Option(help: "Data folder (default: $NMSWEEP_DATA_DIR, else $XDG_CACHE_HOME/nmsweep/data, else ~/.cache/nmsweep/data).")
    var dataDir: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let texts: [String]
        do { texts = try TextLines.read(input) } catch {
            throw CommandFailure("\(error)", exitCode: 2)
        }
        let directory = dataDir ?? DataCatalog.defaultDirectory()
        let encoder: TextEncoder
        do {
            try DataStore.verify(directory, files: DataCatalog.files.filter { $0.name.hasPrefix("all-MiniLM-L6-v2.") })
            encoder = try TextEncoder(dataDirectory: directory)
        } catch {
            throw CommandFailure("\(error)", exitCode: 1)
        }
        let start = ContinuousClock.now
        let embeddings = encoder.encode(texts, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let seconds = Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000
        do { try NPYArray.write(embeddings, to: out) } catch {
            throw CommandFailure("\(error)", exitCode: 1)
        }
        FileHandle.standardError.write(Data("embed: \(texts.count) texts → \(out) (\(embeddings.rows)×\(embeddings.cols) float32) in \(String(format: "%.2f", seconds)) s\n".utf8))
    }
}
