import NoisyCore
import SweepKit
import Testing

/// The study-design fields of a grid (issue 12): probe seeds, task parameters, the noise model.
@Suite struct StudyDesignGridTests {
    static let base = """
        noise_ratios: [0, 0.1, 0.3]
        tasks: [mnist5k, mnist5k->mnist5k-blur, fmnist->fmnist-rotated]
        methods: [lp, mlp, nmtune]
        seeds: 2
        pretrain: {epochs: 1}
        """

    func evaluates(_ yaml: String) throws -> [(key: CellKey, spec: EvaluateSpec)] {
        try Grid.parse(yaml: yaml).expand().cells.compactMap { cell in
            if case .evaluate(let e) = cell.spec { return (cell.key, e) } else { return nil }
        }
    }

    @Test func probeSeedsCrossTheModelSeedsAndPairAcrossNoiseAndMethods() throws {
        let cells = try evaluates(Self.base + "\nprobe_seeds: [5, 9]")
        #expect(cells.count == 3 * 2 * 3 * 2 * 3)
        // Every (model seed, task, probe seed) has all noise ratios × methods, with one task setup.
        let groups = Dictionary(grouping: cells.map(\.spec)) { "\($0.seed) \($0.task) \($0.probeSeed)" }
        #expect(groups.count == 2 * 3 * 2)
        for (_, group) in groups {
            #expect(group.count == 3 * 3)
            #expect(Set(group.map(\.taskParameters)).count == 1)
            #expect(Set(group.map { "\($0.noiseRatio) \($0.method.rawValue)" }).count == 9)
        }
        #expect(Set(cells.map(\.spec.probeSeed)) == [5, 9])
    }

    /// `--max-cells` is checked on ``Grid/cellCount`` before expansion, so the count must follow
    /// every axis of ``Grid/expand()``, the probe seeds included.
    @Test func cellCountEqualsTheExpansionWithAndWithoutProbeSeeds() throws {
        for yaml in [Self.base, Self.base + "\nprobe_seeds: [5, 9]", Self.base + "\nprobe_seeds: 3"] {
            let grid = try Grid.parse(yaml: yaml)
            #expect(grid.cellCount == grid.expand().cells.count, "\(yaml)")
        }
        #expect(try Grid.parse(yaml: Self.base + "\nprobe_seeds: [5, 9]").cellCount == 3 * 2 * (1 + 3 * 2 * 3))
    }

    @Test func withoutProbeSeedsEachModelKeepsItsOwnSeed() throws {
        let cells = try evaluates(Self.base)
        #expect(cells.count == 3 * 2 * 3 * 3)
        #expect(cells.allSatisfy { $0.spec.probeSeed == $0.spec.seed })
    }

    @Test func aTaskParameterChangesOnlyTheKeysOfTheTasksThatReadIt() throws {
        let before = try evaluates(Self.base)
        let after = try evaluates(Self.base + "\ntask_parameters: {blur_sigma: 2.5}")
        for (a, b) in zip(before, after) {
            #expect(a.spec.task == b.spec.task)
            #expect((a.key == b.key) == (a.spec.task != "mnist5k->mnist5k-blur"), "\(a.spec.task)")
        }
        let blur = try #require(after.first { $0.spec.task == "mnist5k->mnist5k-blur" })
        #expect(blur.spec.taskParameters?.blurSigma == 2.5)
        // The split fraction is read by every task.
        let split = try evaluates(Self.base + "\ntask_parameters: {train_fraction: 0.7}")
        #expect(zip(before, split).allSatisfy { $0.key != $1.key })
    }

    @Test func noiseModelIsAPretrainingFieldOfTheKey() throws {
        let exclusive = try Grid.parse(yaml: Self.base)
        let uniform = try Grid.parse(yaml: Self.base.replacingOccurrences(of: "{epochs: 1}", with: "{epochs: 1, noise_model: uniform}"))
        #expect(exclusive.pretraining?.noiseModel == .exclusive && uniform.pretraining?.noiseModel == .uniform)
        #expect(Set(exclusive.expand().keys).isDisjoint(with: uniform.expand().keys))
    }

    @Test func badStudyFieldsAreFaultsNamingTheField() {
        let cases: [(String, String)] = [
            ("\nprobe_seeds: [1, 1]", "probe_seeds[1]: duplicate: 1 is already probe_seeds[0]"),
            ("\ntask_parameters: {blur_sigma: -1}", "task_parameters.blur_sigma: must be in [0, 10] pixels"),
            ("\ntask_parameters: {pixelation_factor: 3}", "task_parameters.pixelation_factor: 3 does not divide 28"),
            ("\ntask_parameters: {digits_centre_of_mass: yes}", "task_parameters.digits_centre_of_mass: expected true or false"),
            ("\ntask_parameters: {blur: 1}", "task_parameters.blur: unknown key"),
        ]
        for (extra, message) in cases {
            do {
                _ = try Grid.parse(yaml: Self.base + extra)
                Issue.record("accepted: \(extra)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        do {
            _ = try Grid.parse(yaml: Self.base.replacingOccurrences(of: "{epochs: 1}", with: "{noise_model: authors}"))
            Issue.record("accepted noise_model: authors")
        } catch {
            #expect("\(error)".contains("pretrain.noise_model: unknown noise model 'authors'"), "\(error)")
        }
    }

    @Test func everyKnownTaskHasADomainAndTheGridListsThemAll() throws {
        // The image tasks, then the rendered-glyph tasks (GlyphData).
        #expect(GridTask.all == DownstreamTask.allCases.map(\.name) + ["latin-print", "latin-print->latin-hand"])
        #expect(GridTask.domain(of: "fmnist->fmnist-noisy") == .source && GridTask.domain(of: "mnist5k-thick") == .transfer)
        #expect(GridTask.domain(of: "someone-elses-task") == .transfer)
        #expect(GridTask.outOfDomain.allSatisfy(GridTask.isOutOfDomain) && !GridTask.inDomain.contains(where: GridTask.isOutOfDomain))
    }
}

@Suite struct StudyGridFileTests {
    @Test func ablationGridSwitchesEachNMTuneTermOffAndSweepsLambdaS() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/ablation.yaml")
        let nmtune = grid.methods.filter { $0.method == .nmtune }.map(\.hyperparameters)
        #expect(nmtune.contains { $0.consistencyWeight == 0 && $0.singularWeight == 0.001 && $0.covarianceWeight == 0.04 })
        #expect(nmtune.contains { $0.consistencyWeight == 1 && $0.singularWeight == 0 && $0.covarianceWeight == 0.04 })
        #expect(nmtune.contains { $0.consistencyWeight == 1 && $0.singularWeight == 0.001 && $0.covarianceWeight == 0 })
        #expect(Set(nmtune.map(\.singularWeight)) == [0, 0.001, 0.01, 0.1, 1.0])
        #expect(grid.probeSeeds == [0, 1, 2] && grid.seeds == [0])
        #expect(Set(grid.expand().keys).count == grid.expand().cells.count)
    }

    @Test func pilotGridCoversEveryTaskWithLP() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/pilot.yaml")
        // Every task of the Fashion-MNIST-source suite (the glyph tasks have their own pilot).
        #expect(Set(grid.tasks) == Set(DownstreamTask.allCases.map(\.name)))
        #expect(grid.methods.map(\.method) == [.lp] && grid.noiseRatios == [0, 0.3])
    }
}
