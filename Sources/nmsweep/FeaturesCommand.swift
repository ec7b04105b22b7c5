import ArgumentParser
import CommandSupport
import Foundation
import NoisyCore
import SweepKit
import SweepStore
import StudyData

/// `nmsweep features export`: the features a study's pre-trained models give on every task, as
/// NPY files, plus a black-box grid file that reruns the study's evaluate cells on them.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Export pre-trained features to NPY files (black-box mode).",
        subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the features of a finished grid's pre-trained models to NPY files and a black-box grid for them.",
            discussion: """
                For every pre-training of the grid (noise ratio × seed), the model is read from the results \
                database, and for every task of the grid the train and test features are extracted exactly as \
                an evaluate cell does (the task's split for that seed) and written to \
                OUT/{task}/noise-{noise}/seed-{seed}/{split}-x.npy (float32, N×D) and -y.npy (int64 labels). \
                OUT/grid.yaml is a black-box grid with the same axes and resolved hyper-parameters: \
                `nmsweep-coordinator --grid OUT/grid.yaml` reruns the evaluate cells on the files, and its \
                results equal the integrated run's (accuracy, SVE, LSVR; realised noise is not known there).
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "The grid whose pre-trainings to export (they must have run).") var grid: String
        @Option(help: "The folder to write (created; existing files are replaced).") var out: String
        @Option(help: "Name of the black-box grid (default: the grid's name + '-blackbox').") var name: String?
        @Option(help: "Data folder (default: $NMSWEEP_DATA_DIR, else ~/.cache/nmsweep/data).") var dataDir: String?

        func run() throws {
            let loaded: Grid
            do { loaded = try Grid.load(path: grid) } catch { throw CommandFailure("\(error)") }
            guard loaded.pretraining != nil else {
                throw CommandFailure("\(grid) is a black-box grid: it has no pre-trained models to export")
            }
            // A task's split depends on the probe seed; the export writes one split per model seed.
            guard loaded.probeSeeds == nil else {
                throw CommandFailure("\(grid) has probe_seeds: export writes one task split per model seed, so it needs a grid without probe_seeds (each model's probe seed is then its own seed)")
            }
            let db = try store.open()
            let dataDirectory = dataDir ?? DataCatalog.defaultDirectory()
            let pretrains = loaded.expand().cells.compactMap { cell -> (GridCell, PretrainSpec)? in
                if case .pretrain(let spec) = cell.spec { return (cell, spec) } else { return nil }
            }
            let bar = TerminalProgress(label: "features export", total: pretrains.count * loaded.tasks.count)
            defer { bar.finish() }
            try wrap {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for (index, (cell, spec)) in pretrains.enumerated() {
                    guard let record = try db.modelArtifact(ofCell: cell.key.hex) else {
                        throw CommandFailure("the pre-training (noise \(spec.noiseRatio), seed \(spec.seed)) of \(grid) has no stored model "
                                             + "(cell \(cell.key.hex.prefix(12))): run the grid first")
                    }
                    let model = try ModelFile.decode(record.bytes)
                    guard model.metadata.spec == spec else {
                        throw CommandFailure("artifact \(record.hash.prefix(12)) was pre-trained from another spec than cell \(cell.key.hex.prefix(12))")
                    }
                    for (taskIndex, task) in loaded.tasks.enumerated() {
                        bar.update(done: index * loaded.tasks.count + taskIndex,
                                   detail: "noise \(Grid.noiseLabel(spec.noiseRatio)) seed \(spec.seed): \(task)")
                        let parameters = try DownstreamTask(name: task)
                        let data = try makeTask(parameters, dataDirectory: dataDirectory, seed: spec.seed,
                                                parameters: loaded.taskParameters.relevant(to: parameters))
                        for (split, dataset) in [("train", data.train), ("test", data.test)] {
                            let features = model.network.features(of: dataset.images)
                            try write(features: features, labels: dataset.labels, task: task, noise: spec.noiseRatio, seed: spec.seed, split: split)
                        }
                    }
                    bar.log("exported pre-training \(index + 1)/\(pretrains.count): noise \(Grid.noiseLabel(spec.noiseRatio)), seed \(spec.seed), \(loaded.tasks.count) tasks")
                }
                bar.update(done: pretrains.count * loaded.tasks.count, detail: "written to \(out)")
                let gridPath = URL(fileURLWithPath: out).appendingPathComponent("grid.yaml").path
                let yaml = loaded.blackBoxGridYAML(name: name ?? ((loaded.name ?? "grid") + "-blackbox"))
                try FileBytes.write(Array(yaml.utf8), to: gridPath)
                print(gridPath)
            }
        }

        private func path(_ template: String, task: String, noise: Double, seed: UInt64, split: String) -> String {
            let relative = template.replacingOccurrences(of: "{task}", with: Grid.taskLabel(task))
                .replacingOccurrences(of: "{noise}", with: Grid.noiseLabel(noise))
                .replacingOccurrences(of: "{seed}", with: String(seed))
                .replacingOccurrences(of: "{split}", with: split)
            return URL(fileURLWithPath: out).appendingPathComponent(relative).path
        }

        private func write(features: Matrix, labels: [Int], task: String, noise: Double, seed: UInt64, split: String) throws {
            let x = path(Grid.exportFeatureTemplate, task: task, noise: noise, seed: seed, split: split)
            let y = path(Grid.exportLabelTemplate, task: task, noise: noise, seed: seed, split: split)
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: x).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try NPYArray.write(features, to: x)
            try NPYArray.write(labels: labels, to: y)
        }
    }
}
