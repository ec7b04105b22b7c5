import NoisyCore
import StudyData
import Yams

extension Grid {
    static let encoderKeys = ["encoder", "texts_per_class"]
    /// Synsets per class of a text task's pool when the grid does not say (docs/data.md, "Text tasks").
    public static let defaultTextsPerClass = 80

    /// Whether a `features:` mapping names an encoder (`features: {encoder: …}`) rather than files.
    static func namesEncoder(_ node: Node) -> Bool {
        guard case .mapping(let mapping) = node else { return false }
        return mapping.keys.contains { if case .scalar(let s) = $0 { s.string == "encoder" } else { false } }
    }

    /// Reads `features: {encoder: NAME, texts_per_class: N}`: features made by a text encoder
    /// on the worker (TextTasks' `EncodedTextFeatures`) for the text tasks (``TextTask``).
    static func readEncoder(_ node: Node, _ reader: inout GridReader) -> EncoderFeatures? {
        guard let entries = reader.mapping(node, "features", allowed: encoderKeys) else { return nil }
        let before = reader.faults.count
        var encoder: String?
        if let entry = entries["encoder"], let name = reader.string(entry.value, "features.encoder") {
            if TextTask.encoders.contains(name) {
                encoder = name
            } else {
                let hint = suggestion(for: name, among: TextTask.encoders).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fault(at: entry.value, "features.encoder", "unknown encoder '\(name)'\(hint); known: \(TextTask.encoders.joined(separator: ", "))")
            }
        }
        var textsPerClass = defaultTextsPerClass
        if let entry = entries["texts_per_class"] {
            // The ceiling is the smallest noun class's usable synsets (docs/data.md); the worker
            // names the class when a larger value does not fit.
            if let value = reader.int(entry.value, "features.texts_per_class", in: 2...1_000) { textsPerClass = value }
        }
        guard reader.faults.count == before, let encoder else { return nil }
        return EncoderFeatures(encoder: encoder, textsPerClass: textsPerClass)
    }

    /// An encoder grid's noise ratios: a frozen encoder has no label-noise axis, so only `[0]`
    /// (also the default when the grid gives none).
    static func checkEncoderNoise(_ node: Node?, _ noiseRatios: [Double]?, _ reader: inout GridReader) {
        guard let node, let noiseRatios, noiseRatios != [0] else { return }
        reader.fault(at: node, "noise_ratios", "a grid with 'features: {encoder: …}' has one frozen encoder and no label noise: use noise_ratios: [0] or leave it out")
    }

    /// The evaluate cells of an encoder grid: seed × task × probe seed × method, no dependency.
    func encoderCells(_ encoder: EncoderFeatures) -> [EvaluateSpec] {
        var specs: [EvaluateSpec] = []
        for seed in seeds {
            for task in tasks {
                for probeSeed in probeSeeds ?? [seed] {
                    for method in methods {
                        specs.append(EvaluateSpec(noiseRatio: 0, task: task, method: method.method, seed: seed, probeSeed: probeSeed,
                                                  hyperparameters: method.hyperparameters, features: .encoder(encoder)))
                    }
                }
            }
        }
        return specs
    }
}
