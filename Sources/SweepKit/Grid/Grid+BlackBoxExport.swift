import NoisyCore

extension Grid {
    /// The feature-file templates of an exported study (`nmsweep features export`), relative to
    /// the export folder: one set per task, noise ratio and seed (each seed has its own model).
    public static let exportFeatureTemplate = "{task}/noise-{noise}/seed-{seed}/{split}-x.npy"
    public static let exportLabelTemplate = "{task}/noise-{noise}/seed-{seed}/{split}-y.npy"

    /// A black-box grid file that reruns this (pre-training) grid's evaluate cells on exported
    /// features: the same noise ratios, tasks, seeds and methods with every hyper-parameter the
    /// method uses written out, so its results can be compared with the integrated run's.
    public func blackBoxGridYAML(name: String) -> String {
        func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) + ".0" : x.description }
        var lines = [
            "# Black-box rerun of grid '\(self.name ?? "?")' on features exported by `nmsweep features export`.",
            "name: \(name)",
            "noise_ratios: [\(noiseRatios.map(Grid.noiseLabel).joined(separator: ", "))]",
            "tasks:",
        ]
        lines += tasks.map { "  - \($0)" }
        lines.append("methods:")
        for entry in methods {
            let h = entry.hyperparameters
            var values: [(String, String)] = [
                ("epochs", String(h.epochs)), ("batch_size", String(h.batchSize)),
                ("learning_rate", number(h.learningRate)), ("weight_decay", number(h.weightDecay)),
                ("warmup_steps", String(h.warmupSteps)), ("hidden_multiplier", String(h.hiddenMultiplier)),
                ("consistency_weight", number(h.consistencyWeight)), ("singular_weight", number(h.singularWeight)),
                ("covariance_weight", number(h.covarianceWeight)), ("top_k", String(h.topK)),
                ("nmtune_arithmetic", String(h.nmtuneArithmeticVersion)),
            ]
            let used = Grid.hyperparameterKeys(for: entry.method)
            values = values.filter { used.contains($0.0) }
            lines.append("  - {method: \(entry.method.rawValue), " + values.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}")
        }
        lines.append("seeds: [\(seeds.map(String.init).joined(separator: ", "))]")
        lines.append("features:")
        lines.append("  path: \"\(Grid.exportFeatureTemplate)\"")
        lines.append("  labels: \"\(Grid.exportLabelTemplate)\"")
        lines.append("max_attempts: \(maxAttempts)")
        return lines.joined(separator: "\n") + "\n"
    }
}
