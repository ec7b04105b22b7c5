import NoisyCore
import StudyData

/// The two kinds of cell of docs/architecture.md.
public enum CellKind: String, Codable, Hashable, Sendable, CaseIterable {
    case pretrain
    case evaluate
}

/// One cell of an expanded grid: its key, spec and the one cell it depends on.
public struct GridCell: Hashable, Sendable {
    /// SHA-256 of ``CellKey/specPrefix`` + ``canonicalJSON`` (of a command cell: + the canonical
    /// JSON of its keyed form, ``CellSpec/keyed``, which leaves out the time limit and tags).
    public var key: CellKey
    public var kind: CellKind
    public var spec: CellSpec
    /// The spec's canonical JSON (``CanonicalJSON``): what was hashed, and what SweepStore stores.
    public var canonicalJSON: [UInt8]
    /// The pre-training (or command cell) an evaluate cell needs; `nil` for pretrain, command
    /// and black-box cells.
    public var dependency: CellKey?

    public init(key: CellKey, kind: CellKind, spec: CellSpec, canonicalJSON: [UInt8], dependency: CellKey?) {
        self.key = key
        self.kind = kind
        self.spec = spec
        self.canonicalJSON = canonicalJSON
        self.dependency = dependency
    }

    /// The cell's downstream task (evaluate cells).
    public var task: String? {
        if case .evaluate(let e) = spec { return e.task }
        return nil
    }

    /// What a worker must hold to run this cell without fetching anything, for black-box cells:
    /// the digests of its feature files; for encoder cells, the text pool it embeds. (Cells with a dependency are placed by their
    /// pre-training's artifact instead, known only once it has run.)
    public var dataLocality: String? {
        if case .evaluate(let e) = spec, case .files(let files) = e.features {
            return files.sha256.joined(separator: "+")
        }
        // Encoder cells: the pool whose embeddings the worker caches (shared by a part's ID and OOD tasks).
        if case .evaluate(let e) = spec, case .encoder(let source) = e.features, let task = try? TextTask(name: e.task) {
            return "\(source.encoder):\(task.part.taskName):\(source.textsPerClass)"
        }
        return nil
    }
}

/// A grid expanded into its DAG of cells.
///
/// Order is deterministic: pretrain cells first (noise ratio, then seed, in file order), then
/// evaluate cells grouped by their pre-training (noise, seed, task, method), so that cells sharing
/// a model are adjacent in the queue.
public struct ExpandedGrid: Hashable, Sendable {
    public var name: String?
    public var maxAttempts: Int
    public var cells: [GridCell]

    public init(name: String?, maxAttempts: Int, cells: [GridCell]) {
        self.name = name
        self.maxAttempts = maxAttempts
        self.cells = cells
    }

    /// The keys of all cells, in order.
    public var keys: [CellKey] { cells.map(\.key) }
}
