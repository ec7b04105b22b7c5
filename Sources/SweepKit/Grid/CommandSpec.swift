/// A command cell: a user's own program (an extractor or a pre-training on a GPU, outside the SIMD
/// core) run once per (noise ratio, seed) by a worker that opted in (`--allow-commands`), writing
/// the feature files of every task under `{out}` (docs/grid.md, "Command cells").
///
/// The cell key is the hash of ``keyed``: the command with `{noise}` and `{seed}` filled in, the
/// inputs' content digests, the environment, the tasks, the noise ratio and the seed. The time
/// limit and the worker tags are not in it (they choose how and where it runs, not what it
/// makes), so raising `timeout:` after a time-out reruns nothing that finished.
public struct CommandSpec: Codable, Hashable, Sendable {
    /// The program and its arguments, `{noise}`, `{seed}`, `{tasks}` and `{grid_dir}` filled in;
    /// `{out}`, `{data_dir}` and `{work}` are filled in by the worker that runs it.
    public var command: [String]
    public var noiseRatio: Double
    public var seed: UInt64
    /// The task labels whose features the command writes, as `{out}/<label>/…` (``Grid/taskLabel(_:)``).
    public var tasks: [String]
    /// The files and folders the command reads, each with the digest of its contents.
    public var inputs: [CommandInput]
    /// Variables added to the command's clean environment.
    public var environment: [String: String]
    /// Seconds the command may run before its process group is killed; nil: no limit.
    public var timeoutSeconds: Int?
    /// Tags a worker must announce (`--tags`) to run it; nil or empty: any worker that opted in.
    public var requires: [String]?

    public init(command: [String], noiseRatio: Double, seed: UInt64, tasks: [String], inputs: [CommandInput] = [],
                environment: [String: String] = [:], timeoutSeconds: Int? = nil, requires: [String]? = nil) {
        self.command = command
        self.noiseRatio = noiseRatio
        self.seed = seed
        self.tasks = tasks
        self.inputs = inputs
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.requires = requires
    }

    /// The spec as its key sees it: without the time limit and the tags.
    public var keyed: CommandSpec {
        var spec = self
        spec.timeoutSeconds = nil
        spec.requires = nil
        return spec
    }

    /// The files a finished command must have written under its output folder, per task label:
    /// `<label>/train_features.npy`, `<label>/train_labels.npy`, `<label>/test_features.npy`,
    /// `<label>/test_labels.npy` — the layout a `features:` grid reads with
    /// `path: "{task}/{split}_features.npy"` and `labels: "{task}/{split}_labels.npy"`.
    public static func outputFiles(task: String) -> (trainFeatures: String, trainLabels: String, testFeatures: String, testLabels: String) {
        let label = Grid.taskLabel(task)
        return ("\(label)/train_features.npy", "\(label)/train_labels.npy", "\(label)/test_features.npy", "\(label)/test_labels.npy")
    }
}

/// One input of a command cell: its path as resolved when the grid was read, and the SHA-256 of
/// its contents (a folder: of its files' relative paths and digests, walked in sorted order).
public struct CommandInput: Codable, Hashable, Sendable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

extension CellSpec {
    /// The spec as its key hashes it: a command cell's without its time limit and tags
    /// (``CommandSpec/keyed``), every other spec as it is.
    public var keyed: CellSpec {
        if case .command(let command) = self { return .command(command.keyed) }
        return self
    }

    /// The tags a worker must have to run this cell (a command cell's `requires:`, possibly
    /// empty), or nil for a cell any worker runs.
    public var workerRequirement: [String]? {
        if case .command(let command) = self { return (command.requires ?? []).sorted() }
        return nil
    }
}
