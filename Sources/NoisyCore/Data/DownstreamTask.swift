/// Whether a task tests on the distribution it trains on.
public enum TaskKind: String, Sendable, Codable {
    /// In-domain: train and test splits of one data set.
    case id
    /// Out-of-domain: trained on one domain, tested on another.
    case ood
}

/// The downstream tasks of the study (PAPER.md, "The same study at the scale of one small
/// machine"), by their names in grids and reports.
public enum DownstreamTask: String, CaseIterable, Sendable, Codable {
    case fmnist = "fmnist"
    case fmnistCoarse = "fmnist-coarse"
    case mnist5k = "mnist5k"
    case digits = "digits"
    case mnist5kToDigits = "mnist5k->digits"
    case digitsToMnist5k = "digits->mnist5k"
    case fmnistRotated = "fmnist->fmnist-rotated"
    case fmnistNoisy = "fmnist->fmnist-noisy"

    /// The task called `name`.
    /// - Throws: ``DataError`` `.unknownName` listing the valid names.
    public init(name: String) throws {
        guard let task = DownstreamTask(rawValue: name) else {
            throw DataError(.unknownName, "unknown task '\(name)'; the tasks are: " + DownstreamTask.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = task
    }

    /// The task's name.
    public var name: String { rawValue }

    /// ID or OOD.
    public var kind: TaskKind {
        switch self {
        case .fmnist, .fmnistCoarse, .mnist5k, .digits: .id
        case .mnist5kToDigits, .digitsToMnist5k, .fmnistRotated, .fmnistNoisy: .ood
        }
    }

    /// The number of classes of the task's labels.
    public var classCount: Int { self == .fmnistCoarse ? 4 : 10 }
}

/// The tunable parts of the task suite (every one a grid parameter).
public struct TaskParameters: Sendable, Codable, Hashable {
    /// Share of each data set's samples in its train split (stratified by class).
    public var trainFraction: Double
    /// `fmnist->fmnist-rotated`: each test image is rotated by an angle uniform in ± this many
    /// degrees.
    public var maxRotationDegrees: Double
    /// `fmnist->fmnist-noisy`: standard deviation of the Gaussian pixel noise, in units of the
    /// [0, 1] pixel scale (0.2 ≈ 51 grey levels of 255), clamped to [0, 1] after adding.
    public var noiseStandardDeviation: Double

    public init(trainFraction: Double = 0.8, maxRotationDegrees: Double = 30, noiseStandardDeviation: Double = 0.2) {
        self.trainFraction = trainFraction
        self.maxRotationDegrees = maxRotationDegrees
        self.noiseStandardDeviation = noiseStandardDeviation
    }
}

/// A task's data: the split a probe trains on and the split it is tested on.
public struct TaskData: Sendable {
    public let task: DownstreamTask
    public let train: Dataset
    public let test: Dataset

    /// ID or OOD.
    public var kind: TaskKind { task.kind }
    /// The number of classes (train and test share them).
    public var classCount: Int { train.classCount }
}

/// Fashion-MNIST's 4 super-classes for `fmnist-coarse`: tops, bottoms, footwear, bags.
///
/// T-shirt/top, Pullover, Coat, Shirt → tops (0); Trouser, Dress → bottoms (1); Sandal,
/// Sneaker, Ankle boot → footwear (2); Bag → bags (3). docs/data.md gives the reasons.
public let fashionMNISTCoarseMapping = [0, 1, 0, 1, 0, 2, 0, 2, 3, 2]
/// The names of the coarse classes, by coarse label.
public let fashionMNISTCoarseNames = ["tops", "bottoms", "footwear", "bags"]

/// The train and test data of task `name`, from the data folder, fixed by `seed`.
///
/// - Each data set is split once, stratified by class, with a stream derived from `seed` and the
///   data set's name, so every task that uses a data set sees the same split of it:
///   `fmnist`, `fmnist-coarse`, `fmnist->fmnist-rotated` and `fmnist->fmnist-noisy` share their
///   train images and their test images (before rotation or noise).
/// - ID tasks train on a data set's train split and test on its test split.
/// - OOD tasks train on the source's train split and test on the target's test split (as with
///   DomainNet: a probe fitted on *real* is tested on *sketch*'s test split), so an OOD task and
///   the target's ID task are tested on the same images.
///
/// - Throws: ``DataError``: `.unknownName` (listing the tasks), `.missingFile` (run
///   `nmsweep data fetch`), `.invalidArgument` for parameters out of range, or a reader's error.
public func makeTask(_ name: String, dataDirectory: String, seed: UInt64, parameters: TaskParameters = TaskParameters()) throws -> TaskData {
    try makeTask(DownstreamTask(name: name), dataDirectory: dataDirectory, seed: seed, parameters: parameters)
}

/// The train and test data of `task` (see ``makeTask(_:dataDirectory:seed:parameters:)-(String,_,_,_)``).
public func makeTask(_ task: DownstreamTask, dataDirectory: String, seed: UInt64, parameters: TaskParameters = TaskParameters()) throws -> TaskData {
    guard parameters.maxRotationDegrees >= 0, parameters.maxRotationDegrees.isFinite else {
        throw DataError(.invalidArgument, "maxRotationDegrees must be a finite angle ≥ 0, got \(parameters.maxRotationDegrees)")
    }
    guard parameters.noiseStandardDeviation >= 0, parameters.noiseStandardDeviation.isFinite else {
        throw DataError(.invalidArgument, "noiseStandardDeviation must be finite and ≥ 0, got \(parameters.noiseStandardDeviation)")
    }
    let root = RandomStream(seed: seed)
    func split(_ dataset: Dataset) throws -> (train: Dataset, test: Dataset) {
        try dataset.stratifiedSplit(trainFraction: parameters.trainFraction, random: root.derived("split/" + dataset.name))
    }
    func fmnist() throws -> (train: Dataset, test: Dataset) {
        try split(Dataset.fashionMNIST(.test, dataDirectory: dataDirectory))
    }
    let train: Dataset, test: Dataset
    switch task {
    case .fmnist:
        (train, test) = try fmnist()
    case .fmnistCoarse:
        let fine = try fmnist()
        train = try fine.train.relabeled(fashionMNISTCoarseMapping, classCount: 4, name: "fmnist-coarse/train")
        test = try fine.test.relabeled(fashionMNISTCoarseMapping, classCount: 4, name: "fmnist-coarse/test")
    case .mnist5k:
        (train, test) = try split(Dataset.mnist5k(dataDirectory: dataDirectory))
    case .digits:
        (train, test) = try split(Dataset.digits(dataDirectory: dataDirectory))
    case .mnist5kToDigits:
        train = try split(Dataset.mnist5k(dataDirectory: dataDirectory)).train
        test = try split(Dataset.digits(dataDirectory: dataDirectory)).test
    case .digitsToMnist5k:
        train = try split(Dataset.digits(dataDirectory: dataDirectory)).train
        test = try split(Dataset.mnist5k(dataDirectory: dataDirectory)).test
    case .fmnistRotated:
        let parts = try fmnist()
        train = parts.train
        test = parts.test.rotatedRandomly(maxDegrees: parameters.maxRotationDegrees, random: root.derived("fmnist-rotated")).dataset
            .renamed("fmnist-rotated/test")
    case .fmnistNoisy:
        let parts = try fmnist()
        train = parts.train
        test = parts.test.withGaussianNoise(standardDeviation: Float(parameters.noiseStandardDeviation), random: root.derived("fmnist-noisy"))
            .renamed("fmnist-noisy/test")
    }
    return TaskData(task: task, train: train, test: test)
}

extension Dataset {
    /// The same data under another name.
    public func renamed(_ newName: String) -> Dataset {
        Dataset(unchecked: newName, images: images, labels: labels, classCount: classCount, shape: shape)
    }
}
