import NoisyCore
public import StudyData

/// The texts a WordNet task draws from: `textsPerClass` synsets of each class, each with its
/// definition and first usage example, chosen by fixed rules independent of any seed (so every
/// cell of a part of speech shares one pool, and its embeddings are computed once).
///
/// Rules (docs/data.md, "Text tasks"), applied in this order:
/// 1. a synset is usable when its definition is not empty and it has at least one usage example;
///    its example is the first;
/// 2. de-duplication: texts compare lower-cased with white space collapsed; walking the file in
///    order, a synset is dropped when its definition equals its own example or when its definition
///    or example equals a text of a synset kept before it (so no text appears twice in a pool: a
///    test text never equals a train text, and no text carries two labels);
/// 3. classes: the part's ``WordNetPart/classCount`` most frequent lexicographer files among the
///    kept synsets (ties: lower file number), in file-number order;
/// 4. per class, the kept synsets shuffled by `RandomStream(seed: 0).derived("wordnet/pool/<part>",
///    file number)`, the first `textsPerClass` taken.
public struct TextPool: Sendable {
    public var part: WordNetPart
    /// Lexicographer file names of the classes, by class index.
    public var classNames: [String]
    /// Synsets per class.
    public var textsPerClass: Int
    /// Definitions, class-major (`textsPerClass` of class 0, then class 1, …).
    public var definitions: [String]
    /// Usage examples, aligned with ``definitions``.
    public var examples: [String]
    /// WordNet offsets of the synsets, aligned with ``definitions``.
    public var offsets: [Int]

    public var classCount: Int { classNames.count }
    /// The class of pool row `i`.
    public func label(_ i: Int) -> Int { i / textsPerClass }

    /// The pool of `part` from its synsets.
    /// - Throws: ``DataError`` `.invalidArgument` when a class has fewer usable synsets than `textsPerClass`.
    public init(synsets: [WordNetSynset], part: WordNetPart, textsPerClass: Int) throws {
        guard textsPerClass >= 2 else {
            throw DataError(.invalidArgument, "texts per class must be at least 2 (one train, one test synset), got \(textsPerClass)")
        }
        let kept = Self.usableSynsets(synsets, part: part)
        let files = try Self.classFiles(kept, part: part)
        self.part = part
        self.textsPerClass = textsPerClass
        classNames = files.map { WordNet.lexicographerFiles[$0] }
        definitions = []
        examples = []
        offsets = []
        for file in files {
            var members = kept[file]!
            guard members.count >= textsPerClass else {
                throw DataError(.invalidArgument, "texts per class \(textsPerClass) is more than the \(members.count) usable synsets of \(WordNet.lexicographerFiles[file]); use at most \(members.count)")
            }
            var random = RandomStream(seed: 0).derived("wordnet/pool/\(part.rawValue)", UInt64(file))
            random.shuffle(&members)
            for synset in members.prefix(textsPerClass) {
                definitions.append(synset.definition)
                examples.append(synset.examples[0])
                offsets.append(synset.offset)
            }
        }
    }

    /// The largest `textsPerClass` these synsets allow: the size of the smallest class.
    public static func maximumTextsPerClass(synsets: [WordNetSynset], part: WordNetPart) throws -> Int {
        let kept = usableSynsets(synsets, part: part)
        return try classFiles(kept, part: part).map { kept[$0]!.count }.min() ?? 0
    }

    /// Rules 1 and 2: the usable, de-duplicated synsets by lexicographer file, in file order.
    static func usableSynsets(_ synsets: [WordNetSynset], part: WordNetPart) -> [Int: [WordNetSynset]] {
        var seen = Set<String>()
        var kept: [Int: [WordNetSynset]] = [:]
        for synset in synsets where !part.excludedFiles.contains(synset.lexicographerFile) {
            guard !synset.definition.isEmpty, let example = synset.examples.first else { continue }
            let definitionKey = synset.definition.lowercased(), exampleKey = example.lowercased()
            guard definitionKey != exampleKey, !seen.contains(definitionKey), !seen.contains(exampleKey) else { continue }
            seen.insert(definitionKey)
            seen.insert(exampleKey)
            kept[synset.lexicographerFile, default: []].append(synset)
        }
        return kept
    }

    /// Rule 3: the class files, in file-number order.
    static func classFiles(_ kept: [Int: [WordNetSynset]], part: WordNetPart) throws -> [Int] {
        let ranked = kept.keys.sorted { (kept[$0]!.count, -$0) > (kept[$1]!.count, -$1) }
        guard ranked.count >= part.classCount else {
            throw DataError(.invalidArgument, "only \(ranked.count) WordNet \(part.rawValue) categories have usable synsets; the task needs \(part.classCount)")
        }
        return ranked.prefix(part.classCount).sorted()
    }

    /// Pool rows of the train and test synsets for `probeSeed`: per class, a permutation from
    /// `RandomStream(seed: probeSeed).derived("split/wordnet-<part>", class)`, the first
    /// ⌈n/2⌉ synsets to train, the rest to test; rows class-major.
    public func split(probeSeed: UInt64) -> (train: [Int], test: [Int]) {
        var train: [Int] = [], test: [Int] = []
        let trainCount = (textsPerClass + 1) / 2
        for c in 0..<classCount {
            var random = RandomStream(seed: probeSeed).derived("split/\(part.taskName)", UInt64(c))
            let order = random.permutation(textsPerClass).map { c * textsPerClass + $0 }
            train += order.prefix(trainCount)
            test += order.dropFirst(trainCount)
        }
        return (train, test)
    }
}

extension WordNetPart {
    /// Lexicographer files that are never classes.
    var excludedFiles: Set<Int> { self == .noun ? [WordNet.lexicographerFiles.firstIndex(of: "noun.Tops")!] : [] }
}
