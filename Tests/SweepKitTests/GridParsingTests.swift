import Foundation
import NoisyCore
import SweepKit
import Testing

@Suite struct GridParsingTests {
    @Test func quickGridIsTheSmallRealStudy() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/quick.yaml")
        #expect(grid.name == "quick")
        #expect(grid.noiseRatios == [0, 0.1, 0.3])
        #expect(grid.tasks == ["fmnist", "mnist5k", "mnist5k->digits", "mnist5k->mnist5k-rotated"])
        #expect(grid.methods.map(\.method) == [.lp, .mlp, .nmtune])
        #expect(grid.methods.allSatisfy { $0.hyperparameters.epochs == 10 })
        #expect(grid.methods[0].hyperparameters.learningRate == 0.01)  // LP keeps its own default
        #expect(grid.seeds == [0])
        let pretraining = try #require(grid.pretraining)
        #expect(pretraining.epochs == 2)
        #expect(pretraining.sourceSamples == 10_000)
        #expect(grid.maxAttempts == 3)
        #expect(!grid.isBlackBox)
    }

    @Test func paperGridIsTheFullDefaultStudy() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/paper.yaml")
        #expect(grid.noiseRatios == [0, 0.05, 0.1, 0.2, 0.3])
        // 4+ ID and 4+ OOD transfer tasks (the paper's averages), the source-domain ones apart.
        let tasks = try grid.tasks.map { try DownstreamTask(name: $0) }
        #expect(tasks.filter { $0.domain == .transfer && $0.kind == .id }.count >= 4)
        #expect(tasks.filter { $0.domain == .transfer && $0.kind == .ood }.count >= 4)
        #expect(!tasks.contains(.fmnistCoarse), "4 classes cannot reach 5× chance")
        #expect(grid.seeds.count >= 5 && grid.probeSeeds == nil)
        var recipe = TuningMethod.allCases.map { GridMethod(method: $0) }
        recipe[2].hyperparameters.setNMTuneArithmetic(1)   // pinned: the published results' arithmetic
        #expect(grid.methods == recipe)
        #expect(grid.pretraining == PretrainSpec(noiseRatio: 0, seed: 0))
        #expect(grid.taskParameters == TaskParameters())
        let models = 5 * grid.seeds.count
        #expect(grid.expand().cells.count == models + models * grid.tasks.count * 3)
    }

    /// The published studies pin NMTune arithmetic 1, so their grids still name exactly the cells
    /// whose results docs/results holds (the `cell_key` column of each study's `grid_cells.csv`):
    /// rerunning them on an existing database recomputes nothing, and on a fresh one reproduces them.
    @Test(arguments: [("paper.yaml", "grid_cells.csv"), ("glyphs.yaml", "glyphs/grid_cells.csv")])
    func publishedGridsKeepTheirCellKeys(grid file: String, published csv: String) throws {
        let grid = try Grid.load(path: gridsDirectory() + "/" + file)
        let results = URL(fileURLWithPath: gridsDirectory()).deletingLastPathComponent().appendingPathComponent("docs/results/" + csv)
        let lines = try String(contentsOf: results, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let keyColumn = try #require(lines.first?.split(separator: ",").firstIndex(of: "cell_key"))
        let published = Set(lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[keyColumn]) })
        let keys = Set(grid.expand().cells.map(\.key.description))
        #expect(published.count == keys.count)
        #expect(keys == published, "\(keys.subtracting(published).count) cells of \(file) are not in docs/results/\(csv)")
    }

    @Test("the λv selection grid reuses the default study's models and its LP and NMTune cells: only the 180 λv variants are new, and they differ from the study's NMTune in λv alone")
    func lambdaVSelectionReusesTheStudy() throws {
        let study = Set(try Grid.load(path: gridsDirectory() + "/paper.yaml").expand().cells.map(\.key))
        let grid = try Grid.load(path: gridsDirectory() + "/lambda-v-dev.yaml")
        let tasks = try grid.tasks.map { try DownstreamTask(name: $0) }
        #expect(tasks.count == 9 && tasks.allSatisfy { $0.domain == .transfer }, "the study's judged tasks only")
        #expect(grid.methods.map { $0.hyperparameters.covarianceWeight } == [0.04, 0.04, 0.01, 0])
        let cells = grid.expand().cells
        #expect(cells.filter { $0.kind == .pretrain }.count == 10)
        #expect(cells.filter { $0.kind == .pretrain }.allSatisfy { study.contains($0.key) })
        #expect(cells.filter { !study.contains($0.key) }.count == 9 * 2 * 5 * 2)
    }

    @Test func testTinyGridIsTiny() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/test-tiny.yaml")
        let cells = grid.expand().cells
        #expect(cells.count == 10)
        #expect(grid.methods[1].hyperparameters.hiddenMultiplier == 1)
        #expect(grid.maxAttempts == 2)
    }

    @Test func seedsAsCountOrList() throws {
        let base = "noise_ratios: [0]\ntasks: [digits]\nmethods: [lp]\n"
        #expect(try Grid.parse(yaml: base + "seeds: 3").seeds == [0, 1, 2])
        #expect(try Grid.parse(yaml: base + "seeds: [5, 1]").seeds == [5, 1])
    }

    @Test func methodOverridesLayerOnSharedTuning() throws {
        let grid = try Grid.parse(yaml: """
            noise_ratios: [0]
            tasks: [digits]
            seeds: 1
            tuning: {epochs: 5, consistency_weight: 2.0}
            methods:
              - lp
              - method: nmtune
                singular_weight: 0.01
              - {method: nmtune, epochs: 7}
            """)
        let lp = grid.methods[0].hyperparameters, a = grid.methods[1].hyperparameters, b = grid.methods[2].hyperparameters
        #expect(lp.epochs == 5)
        #expect(lp.consistencyWeight == 1.0)  // LP does not use it: left at the default
        #expect(a.epochs == 5 && a.consistencyWeight == 2.0 && a.singularWeight == 0.01)
        #expect(b.epochs == 7 && b.singularWeight == 0.001)
    }

    /// NMTune cells carry their arithmetic version (the current one unless the grid pins one);
    /// LP and MLP cells never do, so their keys do not move when NMTune's arithmetic does.
    @Test func nmtuneArithmeticIsPinnedOrCurrentAndOnlyNMTuneCarriesIt() throws {
        let grid = try Grid.parse(yaml: """
            noise_ratios: [0]
            tasks: [digits]
            seeds: 1
            tuning: {nmtune_arithmetic: 1}
            methods: [lp, mlp, nmtune, {method: nmtune, nmtune_arithmetic: 2}]
            """)
        // Version 1 is stored as nil: the key NMTune cells had before versions existed.
        #expect(grid.methods.map(\.hyperparameters.nmtuneArithmetic) == [nil, nil, nil, 2])
        #expect(grid.methods.map(\.hyperparameters.nmtuneArithmeticVersion) == [1, 1, 1, 2])
        let unpinned = try Grid.parse(yaml: "noise_ratios: [0]\ntasks: [digits]\nseeds: 1\nmethods: [lp, mlp, nmtune]")
        #expect(unpinned.methods.map(\.hyperparameters.nmtuneArithmetic) == [nil, nil, NMTuneArithmetic.current])
        // Version 2 is in the NMTune cell's canonical JSON (so in its key), nowhere else.
        for (i, method) in grid.methods.enumerated() {
            let json = String(decoding: try CanonicalJSON.encode(method.hyperparameters), as: UTF8.self)
            #expect(json.contains("nmtuneArithmetic") == (i == 3), "\(json)")
        }
        #expect(try CanonicalJSON.encode(grid.methods[2].hyperparameters) != CanonicalJSON.encode(grid.methods[3].hyperparameters))
    }

    @Test func taskArrowIsNormalised() throws {
        let grid = try Grid.parse(yaml: "noise_ratios: [0]\ntasks: [\"mnist5k→digits\"]\nmethods: [lp]\nseeds: 1")
        #expect(grid.tasks == ["mnist5k->digits"])
    }

    @Test func adamwMomentumAndFullSourceAreNormalised() throws {
        let grid = try Grid.parse(yaml: """
            noise_ratios: [0]
            tasks: [digits]
            methods: [lp]
            seeds: 1
            pretrain: {optimizer: adamw, momentum: 0.5, source_samples: 60000}
            """)
        #expect(grid.pretraining?.momentum == 0)
        #expect(grid.pretraining?.sourceSamples == nil)
    }
}
