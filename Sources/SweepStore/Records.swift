public import NoisyCore
public import SweepKit

/// A sweep as stored: one study, named uniquely.
public struct SweepRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case pending, running, done, failed, cancelled }

    public var id: Int64
    public var name: String
    /// The grid as the user wrote it.
    public var grid: String
    /// The canonical grid, as JSON text.
    public var canonicalGrid: String
    public var state: State
}

/// A cell to submit: the unit of work, identified by the hash of its canonical spec.
public struct NewCell: Sendable, Equatable {
    /// Lower-case hex, 16–128 digits (the schema checks it).
    public var key: String
    public var kind: CellKind
    /// The canonical spec as JSON text.
    public var spec: String
    /// The key of the cell this one needs first (an evaluate cell's pretrain cell), if any.
    public var dependsOn: String?

    public init(key: String, kind: CellKind, spec: String, dependsOn: String? = nil) {
        self.key = key
        self.kind = kind
        self.spec = spec
        self.dependsOn = dependsOn
    }
}

/// One evaluate cell's result: exactly one row per cell key.
public struct ResultRecord: Sendable, Equatable {
    public var cellKey: String
    /// Label-noise ratio of pre-training, in [0, 1].
    public var noiseRatio: Double
    public var task: String
    public var taskKind: TaskKind
    /// Tuning method, e.g. `lp`, `mlp`, `nmtune`.
    public var method: String
    public var seed: Int64
    /// Test accuracy as a fraction in [0, 1].
    public var accuracy: Double
    /// Singular value entropy of the frozen features.
    public var sve: Double
    /// Largest singular value ratio of the frozen features.
    public var lsvr: Double
    /// SVE / LSVR of the features after tuning (methods that transform them).
    public var tunedSVE: Double?
    public var tunedLSVR: Double?
    /// Final training loss of the head.
    public var trainLoss: Double?
    /// NMTune's loss terms as JSON text, e.g. `{"mse":0.1,"cov":0.02,"sve":1.3}`.
    public var lossTerms: String?
    /// The label-noise ratio actually realised in pre-training.
    public var realizedNoise: Double?
    /// Phase timings as JSON text, e.g. `{"features_s":1.2,"tune_s":3.4}`.
    public var timings: String
    public var workerID: String?
    /// When the cell finished; nil means "now" at insertion.
    public var finishedAt: String?
    /// `source` (the pre-training domain) or `transfer` (migration 4; nil in rows written before).
    public var taskDomain: String?
    /// The task's number of classes (chance is 1/classes); nil when unknown.
    public var classes: Int?
    /// Seed of the task split, probe initialisation and batch order (`seed` is the model's).
    public var probeSeed: Int64?

    public init(cellKey: String, noiseRatio: Double, task: String, taskKind: TaskKind, method: String, seed: Int64,
                accuracy: Double, sve: Double, lsvr: Double, tunedSVE: Double? = nil, tunedLSVR: Double? = nil,
                trainLoss: Double? = nil, lossTerms: String? = nil, realizedNoise: Double? = nil,
                timings: String = "{}", workerID: String? = nil, finishedAt: String? = nil,
                taskDomain: String? = nil, classes: Int? = nil, probeSeed: Int64? = nil) {
        self.cellKey = cellKey
        self.noiseRatio = noiseRatio
        self.task = task
        self.taskKind = taskKind
        self.method = method
        self.seed = seed
        self.accuracy = accuracy
        self.sve = sve
        self.lsvr = lsvr
        self.tunedSVE = tunedSVE
        self.tunedLSVR = tunedLSVR
        self.trainLoss = trainLoss
        self.lossTerms = lossTerms
        self.realizedNoise = realizedNoise
        self.timings = timings
        self.taskDomain = taskDomain
        self.classes = classes
        self.probeSeed = probeSeed
        self.workerID = workerID
        self.finishedAt = finishedAt
    }
}

/// A worker as last seen by the coordinator.
public struct WorkerRecord: Sendable, Equatable {
    public var id: String
    public var host: String
    public var slots: Int
    public var version: String
    /// Timestamps as PostgreSQL prints them (ISO 8601 with zone); nil on input.
    public var firstSeen: String?
    public var lastSeen: String?
    /// Seconds since the last heartbeat, as computed by the server (reads only).
    public var secondsSinceSeen: Double?

    public init(id: String, host: String, slots: Int, version: String) {
        self.id = id
        self.host = host
        self.slots = slots
        self.version = version
    }
}

/// A stored blob, addressed by the SHA-256 of its bytes.
public struct ArtifactRecord: Sendable, Equatable {
    /// Lower-case hex SHA-256 of `bytes`.
    public var hash: String
    public var kind: String
    public var bytes: [UInt8]
}

/// One entry of the append-only event log.
public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var at: String
    public var kind: String
    public var sweepID: Int64?
    public var cellKey: String?
    public var workerID: String?
    public var message: String
    /// JSON text.
    public var detail: String?
}
