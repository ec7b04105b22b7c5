/// Whether a task tests on the distribution it trains on.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
    /// In-domain: train and test splits of one data set.
    case id
    /// Out-of-domain: trained on one domain, tested on another.
    case ood
}

/// Whether a task's data come from the pre-training domain (docs/data.md, "The task suite").
public enum TaskDomain: String, Sendable, Codable {
    /// The source domain itself, a coarsening or a corruption of it: these measure the robustness
    /// of the source task, not transfer, and are reported apart.
    case source
    /// Other data than the pre-training source: what the paper's ID/OOD averages are over.
    case transfer
}

/// A style shift applied to MNIST-5k images (both splits for an ID task `mnist5k-X`, the test
/// split only for an OOD task `mnist5k->mnist5k-X`).
public enum DigitShift: String, CaseIterable, Sendable, Codable {
    /// Each image rotated by an angle uniform in ± ``TaskParameters/digitRotationDegrees``.
    case rotated
    /// Gaussian pixel noise of σ = ``TaskParameters/digitNoiseStandardDeviation``, clamped.
    case noisy
    /// Gaussian blur of σ = ``TaskParameters/blurSigma`` pixels.
    case blur
    /// Strokes thickened by ``TaskParameters/dilationRadius`` pixels.
    case thick
    /// Light background, dark ink (1 − v).
    case inverted
    /// Resolution divided by ``TaskParameters/pixelationFactor`` (block means, resized back).
    case lowres
}

/// The downstream tasks of the study (docs/data.md, "The task suite"), by their names in grids and
/// reports.
public enum DownstreamTask: String, CaseIterable, Sendable, Codable {
    // Source domain (Fashion-MNIST, the pre-training data).
    case fmnist = "fmnist"
    case fmnistCoarse = "fmnist-coarse"
    case fmnistRotated = "fmnist->fmnist-rotated"
    case fmnistNoisy = "fmnist->fmnist-noisy"
    // Transfer, in-domain.
    case mnist5k = "mnist5k"
    case digits = "digits"
    case mnist5kRotated = "mnist5k-rotated"
    case mnist5kNoisy = "mnist5k-noisy"
    case mnist5kBlur = "mnist5k-blur"
    case mnist5kThick = "mnist5k-thick"
    case mnist5kInverted = "mnist5k-inverted"
    case mnist5kLowres = "mnist5k-lowres"
    // Transfer, out-of-domain.
    case mnist5kToDigits = "mnist5k->digits"
    case digitsToMnist5k = "digits->mnist5k"
    case mnist5kToRotated = "mnist5k->mnist5k-rotated"
    case mnist5kToNoisy = "mnist5k->mnist5k-noisy"
    case mnist5kToBlur = "mnist5k->mnist5k-blur"
    case mnist5kToThick = "mnist5k->mnist5k-thick"
    case mnist5kToInverted = "mnist5k->mnist5k-inverted"
    case mnist5kToLowres = "mnist5k->mnist5k-lowres"

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

    /// ID (train and test from one distribution) or OOD (`source->target`).
    public var kind: TaskKind { rawValue.contains("->") ? .ood : .id }

    /// Source (Fashion-MNIST, the pre-training domain) or transfer (other data).
    public var domain: TaskDomain { rawValue.hasPrefix("fmnist") ? .source : .transfer }

    /// The number of classes of the task's labels.
    public var classCount: Int { self == .fmnistCoarse ? 4 : 10 }

    /// Chance accuracy: 1 / classes (every task's test split is balanced to within a sample per class).
    public var chance: Double { 1 / Double(classCount) }

    /// The MNIST-5k shift of a `mnist5k-X` or `mnist5k->mnist5k-X` task, else nil.
    public var digitShift: DigitShift? {
        guard rawValue.hasPrefix("mnist5k"), let last = rawValue.split(separator: "-").last else { return nil }
        return DigitShift(rawValue: String(last))
    }

    /// Whether the task reads scikit-learn's digits.
    var usesDigits: Bool { self == .digits || self == .mnist5kToDigits || self == .digitsToMnist5k }
}

/// The tunable parts of the task suite (every one a grid parameter, `task_parameters:`, and part of
/// the cell key of the tasks that use it: ``relevant(to:)``).
public struct TaskParameters: Sendable, Codable, Hashable {
    /// Share of each data set's samples in its train split (stratified by class).
    public var trainFraction: Double
    /// `fmnist->fmnist-rotated`: each test image is rotated by an angle uniform in ± this many
    /// degrees.
    public var maxRotationDegrees: Double
    /// `fmnist->fmnist-noisy`: standard deviation of the Gaussian pixel noise, in units of the
    /// [0, 1] pixel scale (0.2 ≈ 51 grey levels of 255), clamped to [0, 1] after adding.
    public var noiseStandardDeviation: Double
    /// Tasks with scikit-learn's digits: shift each digit so its centre of mass is the frame's
    /// centre (as MNIST was made), or leave its 20×20 box in the middle.
    public var digitsCentreOfMass: Bool
    /// `mnist5k(->mnist5k)-rotated`: rotation uniform in ± this many degrees.
    public var digitRotationDegrees: Double
    /// `mnist5k(->mnist5k)-noisy`: σ of the Gaussian pixel noise on the [0, 1] scale.
    public var digitNoiseStandardDeviation: Double
    /// `mnist5k(->mnist5k)-blur`: σ of the Gaussian blur, in pixels.
    public var blurSigma: Double
    /// `mnist5k(->mnist5k)-thick`: pixels added to every side of a stroke.
    public var dilationRadius: Int
    /// `mnist5k(->mnist5k)-lowres`: the resolution divisor (a divisor of 28: 2, 4, 7, 14).
    public var pixelationFactor: Int

    public init(trainFraction: Double = 0.8, maxRotationDegrees: Double = 30, noiseStandardDeviation: Double = 0.2,
                digitsCentreOfMass: Bool = true, digitRotationDegrees: Double = 45, digitNoiseStandardDeviation: Double = 0.2,
                blurSigma: Double = 1.5, dilationRadius: Int = 1, pixelationFactor: Int = 2) {
        self.trainFraction = trainFraction
        self.maxRotationDegrees = maxRotationDegrees
        self.noiseStandardDeviation = noiseStandardDeviation
        self.digitsCentreOfMass = digitsCentreOfMass
        self.digitRotationDegrees = digitRotationDegrees
        self.digitNoiseStandardDeviation = digitNoiseStandardDeviation
        self.blurSigma = blurSigma
        self.dilationRadius = dilationRadius
        self.pixelationFactor = pixelationFactor
    }

    /// These parameters with every field `task` does not read reset to its default, so a setting a
    /// task ignores never changes that task's cell keys.
    public func relevant(to task: DownstreamTask) -> TaskParameters {
        var out = TaskParameters(trainFraction: trainFraction)
        switch task {
        case .fmnistRotated: out.maxRotationDegrees = maxRotationDegrees
        case .fmnistNoisy: out.noiseStandardDeviation = noiseStandardDeviation
        default: break
        }
        if task.usesDigits { out.digitsCentreOfMass = digitsCentreOfMass }
        switch task.digitShift {
        case .rotated?: out.digitRotationDegrees = digitRotationDegrees
        case .noisy?: out.digitNoiseStandardDeviation = digitNoiseStandardDeviation
        case .blur?: out.blurSigma = blurSigma
        case .thick?: out.dilationRadius = dilationRadius
        case .lowres?: out.pixelationFactor = pixelationFactor
        case .inverted?, nil: break
        }
        return out
    }

    /// Why these parameters cannot build tasks, or nil.
    public var problem: String? {
        if !(trainFraction > 0 && trainFraction < 1) { return "train_fraction \(trainFraction) must be strictly between 0 and 1" }
        if !(maxRotationDegrees.isFinite && maxRotationDegrees >= 0 && maxRotationDegrees <= 180) { return "rotation_degrees \(maxRotationDegrees) must be in [0, 180]" }
        if !(noiseStandardDeviation.isFinite && noiseStandardDeviation >= 0) { return "noise_std \(noiseStandardDeviation) must be finite and ≥ 0" }
        if !(digitRotationDegrees.isFinite && digitRotationDegrees >= 0 && digitRotationDegrees <= 180) { return "digit_rotation_degrees \(digitRotationDegrees) must be in [0, 180]" }
        if !(digitNoiseStandardDeviation.isFinite && digitNoiseStandardDeviation >= 0) { return "digit_noise_std \(digitNoiseStandardDeviation) must be finite and ≥ 0" }
        if !(blurSigma.isFinite && blurSigma >= 0 && blurSigma <= 10) { return "blur_sigma \(blurSigma) must be in [0, 10] pixels" }
        if !(0...5).contains(dilationRadius) { return "dilation_radius \(dilationRadius) must be in 0…5 pixels" }
        if ![1, 2, 4, 7, 14].contains(pixelationFactor) { return "pixelation_factor \(pixelationFactor) must divide 28: 1, 2, 4, 7 or 14" }
        return nil
    }
}
