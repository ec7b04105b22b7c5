public import NoisyCore

/// The part of speech a WordNet text task classifies: its data file and how many categories it uses.
public enum WordNetPart: String, CaseIterable, Hashable, Sendable {
    case noun
    case verb

    /// The catalogue file (``DataCatalog/FileName``) holding this part's synsets.
    public var fileName: String {
        switch self {
        case .noun: DataCatalog.FileName.wordNetNouns
        case .verb: DataCatalog.FileName.wordNetVerbs
        }
    }

    /// Categories (classes) of the task: the most frequent lexicographer files among the usable
    /// synsets. Nouns: 20 of 25 (noun.Tops, the 25 root synsets, is never a class); verbs: 14 of
    /// 15 (verb.weather, the smallest, has too few synsets with an example).
    public var classCount: Int {
        switch self {
        case .noun: 20
        case .verb: 14
        }
    }

    /// The name of its ID task (also the prefix of its OOD task).
    public var taskName: String { "wordnet-\(rawValue)" }
}

/// What a text task's test split is made of.
public enum TextTestSide: String, Hashable, Sendable {
    /// Definitions of the test synsets (in-domain: the probe was trained on definitions).
    case definitions
    /// The first usage example of each test synset (out-of-domain: a sentence *using* the word,
    /// not one describing it).
    case examples
}

/// A downstream task on text (docs/data.md, "Text tasks"): classify WordNet synsets into their
/// lexicographer category from MiniLM embeddings of their glosses.
///
/// The probe always trains on the definitions of the train synsets; an ID task tests on the
/// definitions of the test synsets, an OOD task (`source->target`) on their usage examples — the
/// same synsets, so ID and OOD accuracies of one probe seed are comparable.
public struct TextTask: Hashable, Sendable {
    public var part: WordNetPart
    public var testSide: TextTestSide

    public init(part: WordNetPart, testSide: TextTestSide) {
        self.part = part
        self.testSide = testSide
    }

    /// Every text task, ID before OOD for each part of speech.
    public static let all: [TextTask] = WordNetPart.allCases.flatMap {
        [TextTask(part: $0, testSide: .definitions), TextTask(part: $0, testSide: .examples)]
    }

    /// The names of ``all``, as grids spell them.
    public static let names = all.map(\.name)

    /// The text encoders whose embeddings the tasks can be given (`features: {encoder: …}`; the
    /// TextTasks module runs them).
    public static let encoders = ["minilm-l6"]

    /// The task called `name`.
    /// - Throws: ``DataError`` `.unknownName` listing the valid names.
    public init(name: String) throws {
        guard let task = Self.all.first(where: { $0.name == name }) else {
            throw DataError(.unknownName, "unknown text task '\(name)'; known: \(Self.names.joined(separator: ", "))")
        }
        self = task
    }

    /// `wordnet-noun` (ID) or `wordnet-noun->wordnet-noun-examples` (OOD).
    public var name: String {
        testSide == .definitions ? part.taskName : "\(part.taskName)->\(part.taskName)-examples"
    }

    public var kind: TaskKind { testSide == .definitions ? .id : .ood }
    /// Always transfer: MiniLM was not trained on WordNet's categories.
    public var domain: TaskDomain { .transfer }
    public var classCount: Int { part.classCount }
}
