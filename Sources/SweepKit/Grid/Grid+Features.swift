import Foundation
import NoisyCore
import Yams

extension Grid {
    static let featureKeys = ["path", "labels", "files"]
    static let featureFileKeys = ["noise", "task", "seed", "train_features", "train_labels", "test_features", "test_labels"]

    /// `{noise}` as it appears in a feature path: integers without a fraction (`0`), others in
    /// their shortest form (`0.05`).
    public static func noiseLabel(_ noise: Double) -> String {
        noise == noise.rounded() && abs(noise) < 1e15 ? String(Int(noise)) : noise.description
    }

    /// `{task}` as it appears in a feature path: `->` becomes `-to-` (`mnist5k-to-digits`).
    public static func taskLabel(_ task: String) -> String { task.replacingOccurrences(of: "->", with: "-to-") }

    /// Reads a black-box `features:` section: either templates (`path:` and `labels:` with
    /// `{noise}`, `{split}` (train|test), `{task}` and optionally `{seed}`) or an explicit `files:`
    /// list (each entry optionally naming its `seed`); resolves every
    /// path against `baseDirectory` and digests every file (SHA-256 goes into the cell spec, so a
    /// changed file is a new cell).
    static func readFeatures(_ node: Node, noiseRatios: [Double], tasks: [String], seeds: [UInt64], baseDirectory: String,
                             _ reader: inout GridReader) -> [BlackBoxKey: FeatureFiles]? {
        guard let entries = reader.mapping(node, "features", allowed: featureKeys) else { return nil }
        let before = reader.faults.count
        var digests = DigestCache(baseDirectory: baseDirectory)
        var result: [BlackBoxKey: FeatureFiles] = [:]

        if let files = entries["files"] {
            for key in ["path", "labels"] {
                if let entry = entries[key] {
                    reader.fault(at: entry.key, "features.\(key)", "give either templates (path, labels) or 'files', not both")
                }
            }
            guard let items = reader.list(files.value, "features.files", what: "feature file set") else { return nil }
            var seenAt: [BlackBoxKey: Int] = [:]
            for (i, item) in items.enumerated() {
                let field = "features.files[\(i)]"
                guard let item_ = reader.mapping(item, field, allowed: featureFileKeys) else { continue }
                guard let noiseNode = item_["noise"] else {
                    reader.fault(at: item, "\(field).noise", "missing: which noise ratio these files are for")
                    continue
                }
                guard let noise = reader.double(noiseNode.value, "\(field).noise") else { continue }
                guard noiseRatios.contains(noise) else {
                    reader.fault(at: noiseNode.value, "\(field).noise", "\(noise) is not in noise_ratios")
                    continue
                }
                var task = tasks[0]
                if let taskNode = item_["task"] {
                    guard let name = reader.string(taskNode.value, "\(field).task") else { continue }
                    guard tasks.contains(GridTask.normalised(name)) else {
                        reader.fault(at: taskNode.value, "\(field).task", "'\(name)' is not in tasks")
                        continue
                    }
                    task = GridTask.normalised(name)
                } else if tasks.count > 1 {
                    reader.fault(at: item, "\(field).task", "missing: with several tasks, each file set names its task")
                    continue
                }
                var seed: UInt64?
                if let seedNode = item_["seed"] {
                    guard let value = reader.int(seedNode.value, "\(field).seed", in: 0...Int.max) else { continue }
                    guard seeds.contains(UInt64(value)) else {
                        reader.fault(at: seedNode.value, "\(field).seed", "\(value) is not in seeds")
                        continue
                    }
                    seed = UInt64(value)
                }
                let key = BlackBoxKey(task: task, noiseRatio: noise, seed: seed)
                if let first = seenAt[key] {
                    reader.fault(at: item, field, "duplicate: task '\(task)' at noise \(noise)\(seed.map { " seed \($0)" } ?? "") already has features.files[\(first)]")
                    continue
                }
                seenAt[key] = i
                var paths: [(String, String)] = []
                for part in ["train_features", "train_labels", "test_features", "test_labels"] {
                    guard let entry = item_[part] else {
                        reader.fault(at: item, "\(field).\(part)", "missing: the NPY file of \(part.replacingOccurrences(of: "_", with: " "))")
                        continue
                    }
                    guard let path = reader.string(entry.value, "\(field).\(part)") else { continue }
                    if let digest = digests.digest(of: path, node: entry.value, field: "\(field).\(part)", &reader) {
                        paths.append((digests.resolve(path), digest))
                    }
                }
                if paths.count == 4 { result[key] = files4(paths) }
            }
            for task in tasks {
                for noise in noiseRatios where seenAt[BlackBoxKey(task: task, noiseRatio: noise)] == nil {
                    let missing = seeds.filter { seenAt[BlackBoxKey(task: task, noiseRatio: noise, seed: $0)] == nil }
                    guard !missing.isEmpty else { continue }
                    let which = missing.count == seeds.count ? "" : " seed\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", "))"
                    reader.fault(at: files.value, "features.files", "no file set for task '\(task)' at noise \(noise)\(which)")
                }
            }
        } else {
            guard let pathEntry = entries["path"], let labelsEntry = entries["labels"] else {
                reader.fault(at: node, "features", "give 'path' and 'labels' templates (with {noise}, {split} and {task}) or a 'files' list")
                return nil
            }
            guard let pathTemplate = reader.string(pathEntry.value, "features.path"),
                  let labelsTemplate = reader.string(labelsEntry.value, "features.labels") else { return nil }
            for (template, entry, field) in [(pathTemplate, pathEntry, "features.path"), (labelsTemplate, labelsEntry, "features.labels")] {
                if !template.contains("{split}") {
                    reader.fault(at: entry.value, field, "the template needs {split} (train or test)")
                }
                if noiseRatios.count > 1 && !template.contains("{noise}") {
                    reader.fault(at: entry.value, field, "the template needs {noise}: the grid has \(noiseRatios.count) noise ratios")
                }
                if tasks.count > 1 && !template.contains("{task}") {
                    reader.fault(at: entry.value, field, "the template needs {task}: the grid has \(tasks.count) tasks")
                }
            }
            guard reader.faults.count == before else { return nil }
            // With {seed} in a template, each seed has its own files (features of a model
            // pre-trained per seed); without, one set serves every seed.
            let perSeed = pathTemplate.contains("{seed}") || labelsTemplate.contains("{seed}")
            let seedChoices: [UInt64?] = perSeed ? seeds.map { $0 } : [nil]
            for task in tasks {
                for noise in noiseRatios {
                    for seed in seedChoices {
                        var paths: [(String, String)] = []
                        for split in ["train", "test"] {
                            for (template, entry, field) in [(pathTemplate, pathEntry, "features.path"), (labelsTemplate, labelsEntry, "features.labels")] {
                                let path = template.replacingOccurrences(of: "{noise}", with: noiseLabel(noise))
                                    .replacingOccurrences(of: "{split}", with: split)
                                    .replacingOccurrences(of: "{task}", with: taskLabel(task))
                                    .replacingOccurrences(of: "{seed}", with: seed.map(String.init) ?? "")
                                if let digest = digests.digest(of: path, node: entry.value, field: field, &reader) {
                                    paths.append((digests.resolve(path), digest))
                                }
                            }
                        }
                        if paths.count == 4 { result[BlackBoxKey(task: task, noiseRatio: noise, seed: seed)] = files4(paths) }
                    }
                }
            }
        }
        return reader.faults.count == before ? result : nil
    }

    /// Four (path, digest) pairs in the order train features, train labels, test features, test labels.
    private static func files4(_ p: [(String, String)]) -> FeatureFiles {
        FeatureFiles(trainFeatures: p[0].0, trainLabels: p[1].0, testFeatures: p[2].0, testLabels: p[3].0,
                     sha256: p.map(\.1))
    }
}

/// Digests each distinct file once per parse.
private struct DigestCache {
    let baseDirectory: String
    var known: [String: String] = [:]

    func resolve(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true))
        return url.standardizedFileURL.path
    }

    mutating func digest(of path: String, node: Node, field: String, _ reader: inout GridReader) -> String? {
        let resolved = resolve(path)
        if let digest = known[resolved] { return digest }
        guard FileManager.default.fileExists(atPath: resolved) else {
            reader.fault(at: node, field, "file not found: \(resolved)")
            return nil
        }
        do {
            let digest = try sha256Hex(ofFileAt: resolved)
            known[resolved] = digest
            return digest
        } catch {
            reader.fault(at: node, field, "cannot read \(resolved): \(error)")
            return nil
        }
    }
}
