import NoisyCore
import Yams

/// Hyper-parameter overrides as written in `tuning:` or one `methods:` entry (`nil` = not given).
struct HyperparameterOverrides {
    var epochs: Int?
    var batchSize: Int?
    var learningRate: Double?
    var weightDecay: Double?
    var warmupSteps: Int?
    var hiddenMultiplier: Int?
    var consistencyWeight: Double?
    var singularWeight: Double?
    var covarianceWeight: Double?
    var topK: Int?
    var nmtuneArithmetic: Int?

    /// Applies the overrides `method` uses to `hyperparameters`; the others are left at their
    /// defaults so that a setting a method ignores never changes its cells' keys.
    func apply(to hyperparameters: inout TuningHyperparameters, method: TuningMethod) {
        let uses = Grid.hyperparameterKeys(for: method)
        if let v = epochs { hyperparameters.epochs = v }
        if let v = batchSize { hyperparameters.batchSize = v }
        if let v = learningRate { hyperparameters.learningRate = v }
        if let v = weightDecay { hyperparameters.weightDecay = v }
        if let v = warmupSteps { hyperparameters.warmupSteps = v }
        if uses.contains("hidden_multiplier"), let v = hiddenMultiplier { hyperparameters.hiddenMultiplier = v }
        if uses.contains("consistency_weight"), let v = consistencyWeight { hyperparameters.consistencyWeight = v }
        if uses.contains("singular_weight"), let v = singularWeight { hyperparameters.singularWeight = v }
        if uses.contains("covariance_weight"), let v = covarianceWeight { hyperparameters.covarianceWeight = v }
        if uses.contains("top_k"), let v = topK { hyperparameters.topK = v }
        if uses.contains("nmtune_arithmetic"), let v = nmtuneArithmetic { hyperparameters.setNMTuneArithmetic(v) }
    }
}

extension Grid {
    /// Every hyper-parameter key of `tuning:` and `methods:` entries.
    static let allHyperparameterKeys = ["epochs", "batch_size", "learning_rate", "weight_decay", "warmup_steps",
                                        "hidden_multiplier", "consistency_weight", "singular_weight", "covariance_weight", "top_k",
                                        "nmtune_arithmetic"]

    /// The hyper-parameter keys `method` uses: LP has no hidden layer; only NMTune has the
    /// regularisers' weights.
    static func hyperparameterKeys(for method: TuningMethod) -> [String] {
        switch method {
        case .lp: Array(allHyperparameterKeys.prefix(5))
        case .mlp: Array(allHyperparameterKeys.prefix(6))
        case .nmtune: allHyperparameterKeys
        }
    }

    /// Reads overrides from a mapping; with a `method`, keys that method does not use are faults
    /// (in `tuning:`, shared by all methods, they apply only where used). `method:` itself is
    /// allowed (and skipped) in method entries.
    static func readOverrides(_ node: Node, _ field: String, method: TuningMethod?, _ reader: inout GridReader) -> HyperparameterOverrides? {
        if method == nil, reader.isNull(node) { return HyperparameterOverrides() }
        let allowed = (method == nil ? [] : ["method"]) + allHyperparameterKeys
        guard let entries = reader.mapping(node, field, allowed: allowed) else { return nil }
        let before = reader.faults.count
        if let method {
            let uses = hyperparameterKeys(for: method)
            for key in allHyperparameterKeys where !uses.contains(key) {
                if let entry = entries[key] {
                    let users = TuningMethod.allCases.filter { hyperparameterKeys(for: $0).contains(key) }.map(\.rawValue)
                    let who = users.count == 1 ? "only \(users[0]) uses it" : "only \(users.joined(separator: " and ")) use it"
                    reader.fault(at: entry.key, "\(field).\(key)", "\(method.rawValue) does not use \(key) (\(who))")
                }
            }
        }
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            entries[key].flatMap { reader.int($0.value, "\(field).\(key)", in: range) }
        }
        func double(_ key: String, _ check: @escaping (Double) -> String?) -> Double? {
            entries[key].flatMap { reader.double($0.value, "\(field).\(key)", check) }
        }
        let nonNegative: (Double) -> String? = { $0 >= 0 ? nil : "must not be negative" }
        var o = HyperparameterOverrides()
        o.epochs = int("epochs", 1...100_000)
        o.batchSize = int("batch_size", 1...1_000_000)
        o.learningRate = double("learning_rate") { $0 > 0 ? nil : "must be greater than 0" }
        o.weightDecay = double("weight_decay", nonNegative)
        o.warmupSteps = int("warmup_steps", 0...Int.max)
        o.hiddenMultiplier = int("hidden_multiplier", 1...64)
        o.consistencyWeight = double("consistency_weight", nonNegative)
        o.singularWeight = double("singular_weight", nonNegative)
        o.covarianceWeight = double("covariance_weight", nonNegative)
        o.topK = int("top_k", 1...4096)
        o.nmtuneArithmetic = int("nmtune_arithmetic", NMTuneArithmetic.known)
        return reader.faults.count == before ? o : nil
    }

    /// `methods:` is a list whose items are a method name (`lp`) or a mapping with `method:` and
    /// overrides (`{method: nmtune, singular_weight: 0.01}`); the same method may appear more
    /// than once with different overrides (a hyper-parameter sweep), never twice identically.
    static func readMethods(_ node: Node, common: HyperparameterOverrides, _ reader: inout GridReader) -> [GridMethod]? {
        guard let items = reader.list(node, "methods", what: "method") else { return nil }
        var methods: [GridMethod] = []
        var ok = true
        let names = TuningMethod.allCases.map(\.rawValue)
        for (i, item) in items.enumerated() {
            let field = "methods[\(i)]"
            var nameNode = item
            var nameField = field
            if case .mapping(let mapping) = item {
                nameField = "\(field).method"
                guard let entry = mapping.first(where: { $0.key.string == "method" }) else {
                    reader.fault(at: item, field, "an entry with overrides needs 'method:' naming one of \(names.joined(separator: ", "))")
                    _ = reader.mapping(item, field, allowed: ["method"] + allHyperparameterKeys)
                    ok = false
                    continue
                }
                nameNode = entry.value
            }
            guard let name = reader.string(nameNode, nameField) else { ok = false; continue }
            guard let method = TuningMethod(rawValue: name) else {
                let hint = suggestion(for: name, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fault(at: nameNode, nameField, "unknown method '\(name)'\(hint); known: \(names.joined(separator: ", "))")
                if case .mapping = item { _ = reader.mapping(item, field, allowed: ["method"] + allHyperparameterKeys) }
                ok = false
                continue
            }
            var hyperparameters = TuningHyperparameters.defaults(for: method)
            common.apply(to: &hyperparameters, method: method)
            if case .mapping = item {
                guard let own = readOverrides(item, field, method: method, &reader) else { ok = false; continue }
                own.apply(to: &hyperparameters, method: method)
            }
            let entry = GridMethod(method: method, hyperparameters: hyperparameters)
            if let first = methods.firstIndex(of: entry) {
                reader.fault(at: item, field, "duplicate: the same method with the same hyper-parameters as methods[\(first)]")
                ok = false
            }
            methods.append(entry)
        }
        return ok ? methods : nil
    }
}
