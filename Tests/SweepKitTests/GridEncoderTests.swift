import Foundation
import NoisyCore
import SweepKit
import Testing

/// `features: {encoder: …}` grids: text tasks on a frozen encoder's embeddings.
@Suite struct GridEncoderTests {
    static let valid = """
        name: text
        tasks: [wordnet-noun, wordnet-noun->wordnet-noun-examples, wordnet-verb]
        methods: [lp, mlp, nmtune]
        seeds: 2
        features: {encoder: minilm-l6, texts_per_class: 40}
        """

    func faults(_ yaml: String) -> [GridFault] { gridFaults(yaml, file: "text.yaml") }

    @Test func expandsToEvaluateCellsOnTheEncoderAtNoiseZero() throws {
        let grid = try Grid.parse(yaml: Self.valid)
        #expect(grid.encoder == EncoderFeatures(encoder: "minilm-l6", textsPerClass: 40))
        #expect(grid.noiseRatios == [0], "noise_ratios defaults to [0]")
        let cells = grid.expand().cells
        #expect(cells.count == 2 * 3 * 3 && grid.cellCount == cells.count)
        #expect(cells.allSatisfy { $0.kind == .evaluate && $0.dependency == nil })
        guard case .evaluate(let spec) = cells[0].spec else { Issue.record("not an evaluate cell"); return }
        #expect(spec.features == .encoder(EncoderFeatures(encoder: "minilm-l6", textsPerClass: 40)))
        #expect(spec.taskParameters == nil && spec.noiseRatio == 0)
        // One locality token per pool: a part's ID and OOD tasks share it, the other part does not.
        let tokens = Dictionary(cells.map { ($0.task!, $0.dataLocality!) }, uniquingKeysWith: { a, _ in a })
        #expect(tokens["wordnet-noun"] == tokens["wordnet-noun->wordnet-noun-examples"])
        #expect(tokens["wordnet-noun"] != tokens["wordnet-verb"])
        // The pool size is part of every key.
        let other = try Grid.parse(yaml: Self.valid.replacingOccurrences(of: "texts_per_class: 40", with: "texts_per_class: 41"))
        #expect(Set(other.expand().keys).isDisjoint(with: grid.expand().keys))
        #expect(try Grid.parse(yaml: Self.valid.replacingOccurrences(of: ", texts_per_class: 40", with: "")).encoder?.textsPerClass
            == Grid.defaultTextsPerClass)
    }

    @Test func theEncodersArithmeticVersionIsPartOfTheKey() throws {
        let cell = try #require(try Grid.parse(yaml: Self.valid).expand().cells.first)
        guard case .evaluate(let spec) = cell.spec, case .encoder(let source) = spec.features else {
            Issue.record("not an encoder cell"); return
        }
        #expect(source.arithmetic == EncoderFeatures.currentArithmetic)
        var older = spec
        older.features = .encoder(EncoderFeatures(encoder: source.encoder, textsPerClass: source.textsPerClass, arithmetic: 1))
        #expect(try CellKey(spec: .evaluate(older)) != cell.key)
        // A spec stored before the field existed reads as version 1, and keeps its stored key's meaning.
        let stored = try JSONDecoder().decode(EncoderFeatures.self, from: Data(#"{"encoder":"minilm-l6","textsPerClass":40}"#.utf8))
        #expect(stored.arithmetic == 1)
        let current = try JSONDecoder().decode(EncoderFeatures.self, from: JSONEncoder().encode(source))
        #expect(current == source)
    }

    @Test func badEncoderGridsNameFileLineAndField() {
        let found = faults("""
            noise_ratios: [0, 0.2]
            tasks: [wordnet-nuon, digits]
            methods: [lp]
            seeds: 1
            task_parameters: {train_fraction: 0.5}
            pretrain: {epochs: 1}
            features: {encoder: minilm-l7, texts_per_class: 1, path: x}
            """)
        func fault(_ field: String) -> GridFault? { found.first { $0.field == field } }
        #expect(fault("noise_ratios").map { $0.line == 1 && $0.message.contains("no label noise") } == true)
        #expect(fault("tasks[0]").map { $0.line == 2 && $0.message.contains("did you mean 'wordnet-noun'") } == true)
        #expect(fault("tasks[1]")?.message.contains("unknown task 'digits'") == true)
        #expect(fault("task_parameters")?.line == 5)
        #expect(fault("pretrain")?.line == 6)
        #expect(fault("features.encoder").map { $0.line == 7 && $0.message.contains("did you mean 'minilm-l6'") } == true)
        #expect(fault("features.texts_per_class")?.line == 7)
        #expect(fault("features.path")?.message.contains("unknown key") == true)
        #expect(found.allSatisfy { $0.file == "text.yaml" })
    }

    @Test func anEncoderGridNeedsTasks() {
        let found = faults("methods: [lp]\nseeds: 1\nfeatures: {encoder: minilm-l6}\n")
        #expect(found.contains { $0.field == "tasks" })
    }
}
