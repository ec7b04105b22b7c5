import NoisyCore
import SweepKit
import Testing

@Suite struct ExpansionTests {
    static let base = """
        noise_ratios: [0, 0.1]
        tasks: [fmnist, mnist5k->digits]
        methods: [lp, mlp, nmtune]
        seeds: 2
        pretrain: {epochs: 1}
        """

    func expand(_ yaml: String) throws -> ExpandedGrid { try Grid.parse(yaml: yaml).expand() }

    @Test func sameGridTwiceGivesIdenticalCellsInOrder() throws {
        let a = try expand(Self.base), b = try expand(Self.base)
        #expect(a == b)
        #expect(Set(a.keys).count == a.cells.count)
        #expect(a.cells.count == 2 * 2 + 2 * 2 * 2 * 3)
        // Pretrain cells first, then evaluate cells.
        #expect(a.cells.prefix(4).allSatisfy { $0.kind == .pretrain })
        #expect(a.cells.dropFirst(4).allSatisfy { $0.kind == .evaluate })
    }

    @Test func evaluateCellsDependOnTheirOwnPretraining() throws {
        let grid = try expand(Self.base)
        let pretrains = Dictionary(uniqueKeysWithValues: grid.cells.filter { $0.kind == .pretrain }.map { ($0.key, $0.spec) })
        for cell in grid.cells where cell.kind == .evaluate {
            guard case .evaluate(let spec) = cell.spec, case .pretrained(let pretrain) = spec.features else {
                Issue.record("evaluate cell without a pre-training")
                continue
            }
            let dependency = try #require(cell.dependency)
            #expect(pretrains[dependency] == .pretrain(pretrain))
            #expect(pretrain.noiseRatio == spec.noiseRatio && pretrain.seed == spec.seed)
            #expect(try CellKey(spec: cell.spec) == cell.key)
            #expect(CellKey(canonicalJSON: cell.canonicalJSON) == cell.key)
        }
    }

    /// Adding a point to an axis adds exactly the cells containing it and keeps every old key.
    @Test(arguments: [
        ("seeds: 2", "seeds: 3", 2 * (1 + 2 * 3)),
        ("noise_ratios: [0, 0.1]", "noise_ratios: [0, 0.1, 0.2]", 2 * (1 + 2 * 3)),
        ("tasks: [fmnist, mnist5k->digits]", "tasks: [fmnist, mnist5k->digits, digits]", 2 * 2 * 3),
        ("methods: [lp, mlp, nmtune]", "methods: [lp, mlp, nmtune, {method: nmtune, top_k: 3}]", 2 * 2 * 2),
    ])
    func extendingAnAxisAddsOnlyNewCells(old: String, new: String, added: Int) throws {
        let before = Set(try expand(Self.base).keys)
        let after = Set(try expand(Self.base.replacingOccurrences(of: old, with: new)).keys)
        #expect(before.isSubset(of: after))
        #expect(after.subtracting(before).count == added)
    }

    @Test func changingOneMethodsHyperparameterChangesOnlyItsCells() throws {
        let before = try expand(Self.base)
        let after = try expand(Self.base.replacingOccurrences(of: "methods: [lp, mlp, nmtune]",
                                                              with: "methods: [lp, mlp, {method: nmtune, singular_weight: 0.002}]"))
        let changed = Set(after.keys).subtracting(before.keys)
        #expect(changed.count == 2 * 2 * 2)
        for cell in after.cells where changed.contains(cell.key) {
            guard case .evaluate(let spec) = cell.spec else { Issue.record("pretrain key changed"); continue }
            #expect(spec.method == .nmtune)
        }
    }

    @Test func sharedTuningSettingAMethodIgnoresKeepsItsKeys() throws {
        let before = try expand(Self.base)
        let after = try expand(Self.base + "\ntuning: {covariance_weight: 0.1}")
        let changed = Set(after.keys).subtracting(before.keys)
        #expect(changed.count == 2 * 2 * 2)  // nmtune's cells only
    }

    @Test func changingPretrainingChangesEveryKey() throws {
        let before = Set(try expand(Self.base).keys)
        let after = Set(try expand(Self.base.replacingOccurrences(of: "epochs: 1", with: "epochs: 2")).keys)
        #expect(before.isDisjoint(with: after))
    }

    @Test func nameAndAttemptsDoNotChangeKeys() throws {
        let before = try expand(Self.base)
        let after = try expand(Self.base + "\nname: other\nmax_attempts: 5")
        #expect(before.keys == after.keys)
        #expect(after.maxAttempts == 5 && after.name == "other")
    }
}
