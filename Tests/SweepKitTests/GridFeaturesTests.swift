import Foundation
import NoisyCore
import SweepKit
import Testing

@Suite struct GridFeaturesTests {
    /// Writes `<dir>/<task>/n<noise>/<split>_{x,y}.npy` with distinct contents per file.
    func writeFiles(in dir: URL, tasks: [String], noises: [String]) throws {
        for task in tasks {
            for noise in noises {
                let folder = dir.appendingPathComponent("\(task)/n\(noise)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for split in ["train", "test"] {
                    for part in ["x", "y"] {
                        try Data("\(task) \(noise) \(split) \(part)".utf8).write(to: folder.appendingPathComponent("\(split)_\(part).npy"))
                    }
                }
            }
        }
    }

    @Test func templatesResolveDigestAndExpandToEvaluateCellsOnly() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFiles(in: dir, tasks: ["digits", "mnist5k-to-digits"], noises: ["0", "0.1"])
        // A file with known SHA-256: "abc".
        try Data("abc".utf8).write(to: dir.appendingPathComponent("digits/n0/train_x.npy"))
        let grid = try Grid.parse(yaml: """
            noise_ratios: [0, 0.1]
            tasks: [digits, mnist5k->digits]
            methods: [lp, nmtune]
            seeds: 2
            features:
              path: "{task}/n{noise}/{split}_x.npy"
              labels: "{task}/n{noise}/{split}_y.npy"
            """, baseDirectory: dir.path)
        #expect(grid.isBlackBox)
        let files = try #require(grid.featureFiles?[BlackBoxKey(task: "digits", noiseRatio: 0)])
        #expect(files.sha256[0] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(files.trainFeatures == dir.appendingPathComponent("digits/n0/train_x.npy").standardizedFileURL.path)
        #expect(files.testLabels.hasSuffix("digits/n0/test_y.npy"))
        #expect(Set(files.sha256).count == 4)
        let cells = grid.expand().cells
        #expect(cells.count == 2 * 2 * 2 * 2)
        #expect(cells.allSatisfy { $0.kind == .evaluate && $0.dependency == nil && $0.dataLocality != nil })
    }

    @Test func changedFileContentGivesNewKeys() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFiles(in: dir, tasks: ["features"], noises: ["0"])
        let yaml = "noise_ratios: [0]\nmethods: [lp]\nseeds: 1\nfeatures: {path: 'features/n{noise}/{split}_x.npy', labels: 'features/n{noise}/{split}_y.npy'}"
        let before = try Grid.parse(yaml: yaml, baseDirectory: dir.path).expand().keys
        #expect(try Grid.parse(yaml: yaml, baseDirectory: dir.path).expand().keys == before)
        try Data("changed".utf8).write(to: dir.appendingPathComponent("features/n0/test_x.npy"))
        #expect(try Grid.parse(yaml: yaml, baseDirectory: dir.path).expand().keys != before)
    }

    @Test func explicitFilesFormAndItsFaults() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFiles(in: dir, tasks: ["features"], noises: ["0"])
        let ok = try Grid.parse(yaml: """
            noise_ratios: [0]
            methods: [mlp]
            seeds: 1
            features:
              files:
                - noise: 0
                  train_features: features/n0/train_x.npy
                  train_labels: features/n0/train_y.npy
                  test_features: features/n0/test_x.npy
                  test_labels: features/n0/test_y.npy
            """, baseDirectory: dir.path)
        #expect(ok.tasks == ["features"])
        #expect(ok.expand().cells.count == 1)

        do {
            _ = try Grid.parse(yaml: """
                noise_ratios: [0, 0.2]
                methods: [mlp]
                seeds: 1
                features:
                  files:
                    - noise: 0
                      train_features: features/n0/train_x.npy
                      train_labels: features/n0/missing.npy
                      test_features: features/n0/test_x.npy
                """, file: "bb.yaml", baseDirectory: dir.path)
            Issue.record("expected a GridError")
        } catch let error as GridError {
            #expect(error.faults.contains { $0.field == "features.files[0].train_labels" && $0.line == 8 && $0.message.contains("file not found") })
            #expect(error.faults.contains { $0.field == "features.files[0].test_labels" && $0.message.contains("missing") })
            #expect(error.faults.contains { $0.field == "features.files" && $0.message.contains("noise 0.2") })
        }
    }

    @Test func seedTemplatesGiveEachSeedItsOwnFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFiles(in: dir, tasks: ["s0", "s1"], noises: ["0"])
        let grid = try Grid.parse(yaml: """
            noise_ratios: [0]
            methods: [lp]
            seeds: [0, 1]
            features: {path: "s{seed}/n{noise}/{split}_x.npy", labels: "s{seed}/n{noise}/{split}_y.npy"}
            """, baseDirectory: dir.path)
        let cells = grid.expand().cells
        #expect(cells.count == 2)
        var trainFiles: [UInt64: String] = [:]
        for cell in cells {
            guard case .evaluate(let e) = cell.spec, case .files(let f) = e.features else { Issue.record("not a black-box cell"); continue }
            trainFiles[e.seed] = f.trainFeatures
        }
        #expect(trainFiles[0]?.hasSuffix("s0/n0/train_x.npy") == true)
        #expect(trainFiles[1]?.hasSuffix("s1/n0/train_x.npy") == true)

        // The explicit form: a seed per entry; a seed without files is named in the fault.
        let entry = { (seed: Int) in """
                - noise: 0
                  seed: \(seed)
                  train_features: s\(seed)/n0/train_x.npy
                  train_labels: s\(seed)/n0/train_y.npy
                  test_features: s\(seed)/n0/test_x.npy
                  test_labels: s\(seed)/n0/test_y.npy
            """ }
        let both = try Grid.parse(yaml: "noise_ratios: [0]\nmethods: [lp]\nseeds: 2\nfeatures:\n  files:\n\(entry(0))\n\(entry(1))\n",
                                  baseDirectory: dir.path)
        #expect(both.expand().cells.count == 2)
        #expect(Set(both.expand().keys) == Set(cells.map(\.key)), "the two forms name the same files, so the same cells")
        do {
            _ = try Grid.parse(yaml: "noise_ratios: [0]\nmethods: [lp]\nseeds: 3\nfeatures:\n  files:\n\(entry(0))\n\(entry(1))\n",
                               file: "s.yaml", baseDirectory: dir.path)
            Issue.record("expected a GridError")
        } catch let error as GridError {
            #expect(error.faults.count == 1)
            #expect(error.faults.first?.message.contains("seed 2") == true, "\(error)")
        }
    }

    @Test func templateFaults() throws {
        do {
            _ = try Grid.parse(yaml: """
                noise_ratios: [0, 0.1]
                tasks: [a, b]
                methods: [lp]
                seeds: 1
                features: {path: "feats.npy", labels: "{task}/{noise}/{split}.npy"}
                """, file: "bb.yaml")
            Issue.record("expected a GridError")
        } catch let error as GridError {
            let messages = error.faults.filter { $0.field == "features.path" }.map(\.message)
            #expect(messages.count == 3)  // no {split}, no {noise}, no {task}
            #expect(error.faults.allSatisfy { $0.line == 5 })
        }
    }
}
