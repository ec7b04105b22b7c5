public import NoisyCore

/// A task's data: the split a probe trains on and the split it is tested on.
public struct TaskData: Sendable {
    public let task: DownstreamTask
    public let train: Dataset
    public let test: Dataset

    /// ID or OOD.
    public var kind: TaskKind { task.kind }
    /// Source or transfer.
    public var domain: TaskDomain { task.domain }
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
    if let problem = parameters.problem { throw DataError(.invalidArgument, "task parameters: \(problem)") }
    let root = RandomStream(seed: seed)
    func split(_ dataset: Dataset) throws -> (train: Dataset, test: Dataset) {
        try dataset.stratifiedSplit(trainFraction: parameters.trainFraction, random: root.derived("split/" + dataset.name))
    }
    func fmnist() throws -> (train: Dataset, test: Dataset) {
        try split(Dataset.fashionMNIST(.test, dataDirectory: dataDirectory))
    }
    func mnist() throws -> (train: Dataset, test: Dataset) {
        try split(Dataset.mnist5k(dataDirectory: dataDirectory))
    }
    func digits() throws -> (train: Dataset, test: Dataset) {
        try split(Dataset.digits(dataDirectory: dataDirectory, centreOfMass: parameters.digitsCentreOfMass))
    }
    /// `shift` applied to `dataset`; random shifts draw from a stream per shift and part, so the
    /// train and test images of an ID task get independent draws.
    func shifted(_ dataset: Dataset, _ shift: DigitShift, part: String) -> Dataset {
        let name = "mnist5k-\(shift.rawValue)/\(part)"
        let random = root.derived("mnist5k-\(shift.rawValue)/\(part)")
        switch shift {
        case .rotated: return dataset.rotatedRandomly(maxDegrees: parameters.digitRotationDegrees, random: random).dataset.renamed(name)
        case .noisy: return dataset.withGaussianNoise(standardDeviation: Float(parameters.digitNoiseStandardDeviation), random: random).renamed(name)
        case .blur: return dataset.blurred(sigma: parameters.blurSigma).renamed(name)
        case .thick: return dataset.dilated(radius: parameters.dilationRadius).renamed(name)
        case .inverted: return dataset.inverted().renamed(name)
        case .lowres: return dataset.pixelated(factor: parameters.pixelationFactor).renamed(name)
        }
    }
    let train: Dataset, test: Dataset
    switch task {
    case .fmnist:
        (train, test) = try fmnist()
    case .fmnistCoarse:
        let fine = try fmnist()
        train = try fine.train.relabeled(fashionMNISTCoarseMapping, classCount: 4, name: "fmnist-coarse/train")
        test = try fine.test.relabeled(fashionMNISTCoarseMapping, classCount: 4, name: "fmnist-coarse/test")
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
    case .mnist5k:
        (train, test) = try mnist()
    case .digits:
        (train, test) = try digits()
    case .mnist5kToDigits:
        train = try mnist().train
        test = try digits().test
    case .digitsToMnist5k:
        train = try digits().train
        test = try mnist().test
    case .mnist5kRotated, .mnist5kNoisy, .mnist5kBlur, .mnist5kThick, .mnist5kInverted, .mnist5kLowres:
        let parts = try mnist(), shift = task.digitShift!
        train = shifted(parts.train, shift, part: "train")
        test = shifted(parts.test, shift, part: "test")
    case .mnist5kToRotated, .mnist5kToNoisy, .mnist5kToBlur, .mnist5kToThick, .mnist5kToInverted, .mnist5kToLowres:
        let parts = try mnist(), shift = task.digitShift!
        train = parts.train
        test = shifted(parts.test, shift, part: "test")
    }
    return TaskData(task: task, train: train, test: test)
}
