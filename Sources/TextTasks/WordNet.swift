import NoisyCore
import StudyData

/// One synset of a WordNet `data.*` file, reduced to what the text tasks read.
public struct WordNetSynset: Hashable, Sendable {
    /// Byte offset of the synset in its file (WordNet's identifier within a part of speech).
    public var offset: Int
    /// The lexicographer file number (0–44), i.e. the synset's category (``WordNet/lexicographerFiles``).
    public var lexicographerFile: Int
    /// The gloss's definition: the text before its first quoted example, white space collapsed.
    public var definition: String
    /// The gloss's usage examples: each double-quoted string after the definition, white space
    /// collapsed, empty ones dropped.
    public var examples: [String]

    public init(offset: Int, lexicographerFile: Int, definition: String, examples: [String]) {
        self.offset = offset
        self.lexicographerFile = lexicographerFile
        self.definition = definition
        self.examples = examples
    }
}

/// Reader of WordNet 3.0's `data.noun` / `data.verb` (format: wndb(5WN)).
///
/// A data line is `offset lex_filenum ss_type w_cnt word lex_id … | gloss`; lines that start with
/// two spaces are the licence header. The gloss is `definition; "example"; "example"` (a
/// definition may itself hold `;`, so it ends only where the first `; "` starts the examples).
public enum WordNet {
    /// Lexicographer file names by number, as lexnames(5WN) lists them (the table is fixed by
    /// WordNet 3.0; Debian's `wordnet-base` ships it as that man page, not as a file).
    public static let lexicographerFiles = [
        "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
        "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
        "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
        "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
        "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition", "verb.consumption",
        "verb.contact", "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession",
        "verb.social", "verb.stative", "verb.weather", "adj.ppl",
    ]

    /// The synsets of the data file at `path`, in file order.
    /// - Throws: ``DataError`` (`.io`, or `.corrupt` naming the line) for an unreadable file or a
    ///   line that is not a synset.
    public static func read(_ path: String) throws -> [WordNetSynset] {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch let error as DataError { throw error.at(path) }
        return try parse(bytes, path: path)
    }

    /// The synsets of a data file's bytes (`path` names the file in errors).
    public static func parse(_ bytes: [UInt8], path: String? = nil) throws -> [WordNetSynset] {
        var synsets: [WordNetSynset] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.starts(with: [0x20, 0x20]) { continue }
            func bad(_ why: String) -> DataError {
                DataError(.corrupt, "line \(lineNumber): \(why); not a WordNet data file?", path: path)
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let bar = text.range(of: " | ") else { throw bad("no ' | ' before the gloss") }
            let fields = text[..<bar.lowerBound].split(separator: " ", maxSplits: 3)
            guard fields.count >= 3, let offset = Int(fields[0]), fields[1].count == 2,
                  let lexicographerFile = Int(fields[1]), lexicographerFiles.indices.contains(lexicographerFile) else {
                throw bad("expected 'offset lex_filenum ss_type …' with a two-digit lex_filenum in 00–44")
            }
            let (definition, examples) = splitGloss(String(text[bar.upperBound...]))
            synsets.append(WordNetSynset(offset: offset, lexicographerFile: lexicographerFile, definition: definition, examples: examples))
        }
        return synsets
    }

    /// A gloss's definition and usage examples (white space collapsed, empty examples dropped).
    public static func splitGloss(_ gloss: String) -> (definition: String, examples: [String]) {
        guard let start = gloss.range(of: "; \"") else { return (collapse(gloss), []) }
        let definition = collapse(String(gloss[..<start.lowerBound]))
        // Quoted strings alternate with what lies between them (separators, attributions).
        let pieces = gloss[start.lowerBound...].split(separator: "\"", omittingEmptySubsequences: false)
        let examples = stride(from: 1, to: pieces.count - 1, by: 2).map { collapse(String(pieces[$0])) }.filter { !$0.isEmpty }
        return (definition, examples)
    }

    /// `text` with runs of white space as one space, trimmed.
    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
