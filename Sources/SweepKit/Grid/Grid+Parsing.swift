import Foundation
import NoisyCore
import StudyData
import Yams

extension Grid {
    /// The top-level keys of a grid file.
    static let topLevelKeys = ["name", "max_attempts", "noise_ratios", "tasks", "methods", "tuning", "seeds", "probe_seeds",
                               "task_parameters", "pretrain", "features", "extract"]
    static let pretrainKeys = ["epochs", "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay",
                               "conv1_channels", "conv2_channels", "feature_dimension", "source_samples", "noise_model", "glyphs"]
    static let taskParameterKeys = ["train_fraction", "rotation_degrees", "noise_std", "digits_centre_of_mass",
                                    "digit_rotation_degrees", "digit_noise_std", "blur_sigma", "dilation_radius",
                                    "pixelation_factor"]
    /// Images in Fashion-MNIST train, the pre-training source.
    static let sourceImages = 60_000

    /// Reads and validates the grid file at `path`; `name` defaults to the file's base name.
    /// Relative feature paths are resolved against the file's directory.
    /// - Throws: ``GridError`` listing every fault (an unreadable file is one fault at 1:1).
    public static func load(path: String) throws -> Grid {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GridError(faults: [GridFault(file: path, line: 1, column: 1, field: "file", message: "cannot read the grid file: \(error.localizedDescription)")])
        }
        let url = URL(fileURLWithPath: path)
        var grid = try parse(yaml: text, file: path, baseDirectory: url.deletingLastPathComponent().path)
        if grid.name == nil { grid.name = url.deletingPathExtension().lastPathComponent }
        return grid
    }

    /// Parses and validates grid YAML.
    /// - Parameters:
    ///   - file: the name faults are reported under.
    ///   - baseDirectory: what relative feature paths are resolved against (default: the
    ///     current directory).
    /// - Throws: ``GridError`` listing every fault, each with its line and column.
    public static func parse(yaml: String, file: String = "<string>", baseDirectory: String? = nil) throws -> Grid {
        var reader = GridReader(file: file)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw GridError(faults: [GridFault(file: file, line: 1, column: 1, field: "yaml", message: "the file is empty")])
            }
            root = composed
        } catch let error as YamlError {
            throw GridError(faults: [syntaxFault(error, file: file, yaml: yaml)])
        }
        let grid = parse(root: root, reader: &reader, baseDirectory: baseDirectory ?? FileManager.default.currentDirectoryPath)
        guard reader.faults.isEmpty, let grid else { throw GridError(faults: reader.faults) }
        return grid
    }

    private static func parse(root: Node, reader: inout GridReader, baseDirectory: String) -> Grid? {
        guard let top = reader.mapping(root, "", allowed: topLevelKeys) else { return nil }
        let commandGrid = top["extract"] != nil
        let blackBox = top["features"] != nil || commandGrid
        let encoderGrid = top["features"].map { namesEncoder($0.value) } ?? false
        func required(_ key: String, _ what: String) -> Node? {
            if let entry = top[key] { return entry.value }
            reader.fault(at: root, key, "missing: give at least one \(what)")
            return nil
        }

        let name = top["name"].flatMap { reader.string($0.value, "name") }
        let maxAttempts = top["max_attempts"].map { reader.int($0.value, "max_attempts", in: 1...100) } ?? defaultMaxAttempts
        let noiseRatios = encoderGrid && top["noise_ratios"] == nil ? [0]
            : required("noise_ratios", "noise ratio").flatMap { readNoiseRatios($0, &reader) }
        if encoderGrid { checkEncoderNoise(top["noise_ratios"]?.value, noiseRatios, &reader) }
        let tasks: [String]? = if let node = top["tasks"]?.value {
            readTasks(node, blackBox: blackBox && !encoderGrid, known: encoderGrid ? TextTask.names : GridTask.all, &reader)
        } else if blackBox && !encoderGrid {
            ["features"]
        } else {
            required("tasks", "task").flatMap { _ in nil }
        }
        let common = top["tuning"].flatMap { readOverrides($0.value, "tuning", method: nil, &reader) }
        let methods = required("methods", "method").flatMap { readMethods($0, common: common ?? HyperparameterOverrides(), &reader) }
        let seeds = required("seeds", "seed").flatMap { readSeeds($0, "seeds", &reader) }
        let probeSeeds = top["probe_seeds"].flatMap { readSeeds($0.value, "probe_seeds", &reader) }
        var taskParameters = TaskParameters()
        if let entry = top["task_parameters"] {
            if blackBox {
                let section = commandGrid ? "'extract' (a command)" : "'features' (black-box)"
                reader.fault(at: entry.key, "task_parameters", "a grid with \(section) builds no tasks: remove task_parameters")
            } else if let parameters = readTaskParameters(entry.value, &reader) {
                taskParameters = parameters
            }
        }

        var pretraining: PretrainSpec?
        var featureFiles: [BlackBoxKey: FeatureFiles]?
        var encoder: EncoderFeatures?
        var command: CommandTemplate?
        if let extract = top["extract"] {
            for other in ["pretrain", "features"] {
                if let entry = top[other] {
                    reader.fault(at: entry.key, other, "a grid with 'extract' (a command makes the features) has no '\(other)': remove one of the two")
                }
            }
            if let noiseRatios, let seeds {
                command = readCommand(extract.value, noiseRatios: noiseRatios, seeds: seeds, baseDirectory: baseDirectory, &reader)
            }
        } else if let features = top["features"], encoderGrid {
            if let pretrain = top["pretrain"] {
                reader.fault(at: pretrain.key, "pretrain", "a grid with 'features' (an encoder) has no pre-training: remove one of the two")
            }
            encoder = readEncoder(features.value, &reader)
        } else if let features = top["features"] {
            if let pretrain = top["pretrain"] {
                reader.fault(at: pretrain.key, "pretrain", "a grid with 'features' (black-box) has no pre-training: remove one of the two")
            }
            if let noiseRatios, let tasks {
                featureFiles = readFeatures(features.value, noiseRatios: noiseRatios, tasks: tasks, seeds: seeds ?? [], baseDirectory: baseDirectory, &reader)
            }
        } else {
            pretraining = readPretrain(top["pretrain"]?.value, &reader)
        }

        guard let noiseRatios, let tasks, let methods, let seeds, let maxAttempts,
              blackBox ? featureFiles != nil || encoder != nil || command != nil : pretraining != nil else { return nil }
        if top["probe_seeds"] != nil, probeSeeds == nil { return nil }
        return Grid(name: name, noiseRatios: noiseRatios, tasks: tasks, methods: methods, seeds: seeds, probeSeeds: probeSeeds,
                    taskParameters: taskParameters, pretraining: pretraining, featureFiles: featureFiles, maxAttempts: maxAttempts,
                    encoder: encoder, command: command)
    }

    /// A YAML syntax error (Yams/libyaml) as a fault at its line and column.
    private static func syntaxFault(_ error: YamlError, file: String, yaml: String) -> GridFault {
        func make(_ mark: Mark, _ message: String) -> GridFault {
            GridFault(file: file, line: mark.line, column: mark.column, field: "yaml", message: message)
        }
        func explain(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context else { return "syntax error: \(problem)" }
            return "syntax error: \(problem) (\(context.text) started at line \(context.mark.line), column \(context.mark.column))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return make(mark, explain(context, problem))
        case .duplicatedKeysInMapping(let duplicates, let context):
            // `context.text` is the whole document here: never print it.
            return make(context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        case .reader(let problem, let offset, _, _):
            var line = 1, column = 1
            if let offset {
                for character in yaml.prefix(offset) {
                    if character == "\n" { line += 1; column = 1 } else { column += 1 }
                }
            }
            return GridFault(file: file, line: line, column: column, field: "yaml", message: "unreadable text: \(problem)")
        default:
            return GridFault(file: file, line: 1, column: 1, field: "yaml", message: "\(error)")
        }
    }

    private static func readNoiseRatios(_ node: Node, _ reader: inout GridReader) -> [Double]? {
        guard let items = reader.list(node, "noise_ratios", what: "noise ratio") else { return nil }
        var values: [Double] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let field = "noise_ratios[\(i)]"
            guard let value = reader.double(item, field, { $0 >= 0 && $0 < 1 ? nil : "\($0) is outside [0, 1): a noise ratio is a fraction of labels (0.1 = 10 %)" }) else {
                ok = false
                continue
            }
            if let first = values.firstIndex(of: value) {
                reader.fault(at: item, field, "duplicate: \(value) is already noise_ratios[\(first)]")
                ok = false
            }
            values.append(value)
        }
        return ok ? values : nil
    }

    /// The tasks axis: free labels in black-box grids, else names from `known`.
    private static func readTasks(_ node: Node, blackBox: Bool, known: [String], _ reader: inout GridReader) -> [String]? {
        guard let items = reader.list(node, "tasks", what: "task") else { return nil }
        var names: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let field = "tasks[\(i)]"
            guard let raw = reader.string(item, field) else { ok = false; continue }
            let name = GridTask.normalised(raw)
            if blackBox {
                let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._->")
                if name.isEmpty || !name.allSatisfy({ allowed.contains($0) }) {
                    reader.fault(at: item, field, "'\(raw)': a black-box task label uses letters, digits, '.', '_', '-' and '->' only")
                    ok = false
                    continue
                }
            } else if !known.contains(name) {
                let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fault(at: item, field, "unknown task '\(raw)'\(hint); known: \(known.joined(separator: ", "))")
                ok = false
                continue
            }
            if let first = names.firstIndex(of: name) {
                reader.fault(at: item, field, "duplicate: '\(name)' is already tasks[\(first)]")
                ok = false
            }
            names.append(name)
        }
        return ok ? names : nil
    }

    /// `seeds: N` means seeds 0..<N; `seeds: [a, b, …]` names them (`probe_seeds` alike).
    private static func readSeeds(_ node: Node, _ key: String, _ reader: inout GridReader) -> [UInt64]? {
        if case .scalar = node, !reader.isNull(node) {
            guard let count = reader.int(node, key, in: 1...1_000_000) else { return nil }
            return (0..<UInt64(count)).map { $0 }
        }
        guard let items = reader.list(node, key, what: "seed") else { return nil }
        var seeds: [UInt64] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let field = "\(key)[\(i)]"
            guard let seed = reader.int(item, field, in: 0...Int.max) else { ok = false; continue }
            if let first = seeds.firstIndex(of: UInt64(seed)) {
                reader.fault(at: item, field, "duplicate: \(seed) is already \(key)[\(first)]")
                ok = false
            }
            seeds.append(UInt64(seed))
        }
        return ok ? seeds : nil
    }

    private static func readPretrain(_ node: Node?, _ reader: inout GridReader) -> PretrainSpec? {
        var spec = PretrainSpec(noiseRatio: 0, seed: 0)
        guard let node, !reader.isNull(node) else { return spec }
        guard let entries = reader.mapping(node, "pretrain", allowed: pretrainKeys) else { return nil }
        let before = reader.faults.count
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            entries[key].flatMap { reader.int($0.value, "pretrain.\(key)", in: range) }
        }
        func double(_ key: String, _ check: @escaping (Double) -> String?) -> Double? {
            entries[key].flatMap { reader.double($0.value, "pretrain.\(key)", check) }
        }
        let positive: (Double) -> String? = { $0 > 0 ? nil : "must be greater than 0" }
        let nonNegative: (Double) -> String? = { $0 >= 0 ? nil : "must not be negative" }
        if let v = int("epochs", 1...10_000) { spec.epochs = v }
        if let v = int("batch_size", 1...Self.sourceImages) { spec.batchSize = v }
        if let entry = entries["optimizer"], let text = reader.string(entry.value, "pretrain.optimizer") {
            if let optimizer = PretrainOptimizer(rawValue: text) {
                spec.optimizer = optimizer
            } else {
                let names = PretrainOptimizer.allCases.map(\.rawValue)
                let hint = suggestion(for: text, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fault(at: entry.value, "pretrain.optimizer", "unknown optimizer '\(text)'\(hint); known: \(names.joined(separator: ", "))")
            }
        }
        if let v = double("learning_rate", positive) { spec.learningRate = v }
        if let v = double("momentum", { $0 >= 0 && $0 < 1 ? nil : "must be in [0, 1)" }) { spec.momentum = v }
        if let v = double("weight_decay", nonNegative) { spec.weightDecay = v }
        if let v = int("conv1_channels", 1...1024) { spec.conv1Channels = v }
        if let v = int("conv2_channels", 1...1024) { spec.conv2Channels = v }
        if let v = int("feature_dimension", 1...65_536) { spec.featureDimension = v }
        if let entry = entries["source_samples"], !reader.isNull(entry.value) {
            if let v = reader.int(entry.value, "pretrain.source_samples", in: 1...Self.sourceImages) {
                // All 60,000 is the same pre-training as no limit: one spelling, one key.
                spec.sourceSamples = v == Self.sourceImages ? nil : v
            }
        }
        if let entry = entries["noise_model"], let text = reader.string(entry.value, "pretrain.noise_model") {
            if let model = NoiseModel(rawValue: text) {
                spec.noiseModel = model
            } else {
                let names = NoiseModel.allCases.map(\.rawValue)
                reader.fault(at: entry.value, "pretrain.noise_model", "unknown noise model '\(text)'; known: \(names.joined(separator: ", ")) (exclusive: a noisy label is always another class; uniform: drawn from all classes, as the authors' code)")
            }
        }
        if let entry = entries["glyphs"] { spec.glyphs = readGlyphSource(entry.value, &reader) }
        // AdamW ignores momentum; normalising it keeps an irrelevant setting out of cell keys.
        if spec.optimizer == .adamw { spec.momentum = 0 }
        return reader.faults.count == before ? spec : nil
    }

    private static func readTaskParameters(_ node: Node, _ reader: inout GridReader) -> TaskParameters? {
        var p = TaskParameters()
        if reader.isNull(node) { return p }
        guard let entries = reader.mapping(node, "task_parameters", allowed: taskParameterKeys) else { return nil }
        let before = reader.faults.count
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            entries[key].flatMap { reader.int($0.value, "task_parameters.\(key)", in: range) }
        }
        func double(_ key: String, _ check: @escaping (Double) -> String?) -> Double? {
            entries[key].flatMap { reader.double($0.value, "task_parameters.\(key)", check) }
        }
        let nonNegative: (Double) -> String? = { $0 >= 0 ? nil : "must not be negative" }
        let angle: (Double) -> String? = { $0 >= 0 && $0 <= 180 ? nil : "must be an angle in [0, 180] degrees" }
        if let v = double("train_fraction", { $0 > 0 && $0 < 1 ? nil : "must be strictly between 0 and 1" }) { p.trainFraction = v }
        if let v = double("rotation_degrees", angle) { p.maxRotationDegrees = v }
        if let v = double("noise_std", nonNegative) { p.noiseStandardDeviation = v }
        if let entry = entries["digits_centre_of_mass"], let v = reader.bool(entry.value, "task_parameters.digits_centre_of_mass") {
            p.digitsCentreOfMass = v
        }
        if let v = double("digit_rotation_degrees", angle) { p.digitRotationDegrees = v }
        if let v = double("digit_noise_std", nonNegative) { p.digitNoiseStandardDeviation = v }
        if let v = double("blur_sigma", { $0 >= 0 && $0 <= 10 ? nil : "must be in [0, 10] pixels" }) { p.blurSigma = v }
        if let v = int("dilation_radius", 0...5) { p.dilationRadius = v }
        if let entry = entries["pixelation_factor"], let v = reader.int(entry.value, "task_parameters.pixelation_factor", in: 1...14) {
            if [1, 2, 4, 7, 14].contains(v) {
                p.pixelationFactor = v
            } else {
                reader.fault(at: entry.value, "task_parameters.pixelation_factor", "\(v) does not divide 28: use 1, 2, 4, 7 or 14")
            }
        }
        return reader.faults.count == before ? p : nil
    }
}
