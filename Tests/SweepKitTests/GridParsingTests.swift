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
        #expect(grid.methods == TuningMethod.allCases.map { GridMethod(method: $0) })
        #expect(grid.pretraining == PretrainSpec(noiseRatio: 0, seed: 0))
        #expect(grid.taskParameters == TaskParameters())
        let models = 5 * grid.seeds.count
        #expect(grid.expand().cells.count == models + models * grid.tasks.count * 3)
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
