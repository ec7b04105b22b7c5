import SweepKit
import Testing

@Suite struct GridValidationTests {
    /// Parses `yaml`, expecting a GridError, and returns its faults.
    func faults(_ yaml: String) -> [GridFault] { gridFaults(yaml) }

    @Test func everyFaultIsCollectedWithFieldLineAndColumn() {
        let found = faults("""
            name: bad
            noise_ratio: [0.1]
            noise_ratios: [0, 1.5, 0]
            tasks: [fmnst, digits, "mnist5k->cifar"]
            methods: [lp, nmtun]
            seeds: [1, 1]
            pretrain:
              epochs: ten
              optimiser: sgd
            max_attempts: 0
            """)
        func fault(_ field: String) -> GridFault? { found.first { $0.field == field } }
        #expect(found.count == 10, "\(found)")
        #expect(fault("noise_ratio").map { "\($0.line):\($0.column)" } == "2:1")
        #expect(fault("noise_ratio")?.message.contains("did you mean 'noise_ratios'") == true)
        #expect(fault("noise_ratios[1]").map { "\($0.line):\($0.column)" } == "3:19")
        #expect(fault("noise_ratios[1]")?.message.contains("outside [0, 1)") == true)
        #expect(fault("noise_ratios[2]")?.message.contains("duplicate") == true)
        #expect(fault("tasks[0]").map { "\($0.line):\($0.column)" } == "4:9")
        #expect(fault("tasks[0]")?.message.contains("did you mean 'fmnist'") == true)
        #expect(fault("tasks[2]")?.message.contains("unknown task") == true)
        #expect(fault("methods[1]")?.message.contains("did you mean 'nmtune'") == true)
        #expect(fault("seeds[1]")?.line == 6)
        #expect(fault("pretrain.epochs").map { "\($0.line):\($0.column)" } == "8:11")
        #expect(fault("pretrain.epochs")?.message == "expected an integer, found 'ten'")
        #expect(fault("pretrain.optimiser")?.message.contains("did you mean 'optimizer'") == true)
        #expect(fault("max_attempts")?.line == 10)
        // Sorted by position.
        #expect(found.map(\.line) == found.map(\.line).sorted())
    }

    @Test func descriptionListsFaultsCompilerStyle() {
        do {
            _ = try Grid.parse(yaml: "noise_ratios: [2]\ntasks: [digits]\nmethods: [lp]\nseeds: 1", file: "grids/x.yaml")
            Issue.record("expected a GridError")
        } catch {
            #expect("\(error)".contains("grids/x.yaml:1:16: noise_ratios[0]: 2.0 is outside [0, 1)"))
        }
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let found = faults("noise_ratios: [0, 0.1\ntasks: [digits]\n")
        #expect(found.count == 1)
        #expect(found.first?.field == "yaml")
        #expect(found.first?.line == 2)
        #expect(found.first?.message.contains("syntax error") == true)
    }

    @Test func duplicateKeysAreReportedWithTheirLine() {
        let found = faults("noise_ratios: [0]\ntasks: [digits]\nmethods: [lp]\nseeds: 1\ntasks: [fmnist]\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("duplicate key 'tasks'") == true)
        #expect(found.first?.line == 2 || found.first?.line == 5)
    }

    @Test func emptyAndMissingAxes() {
        let found = faults("noise_ratios: []\ntasks:\nmethods: [lp]\n")
        #expect(found.first { $0.field == "noise_ratios" }?.message.contains("empty") == true)
        #expect(found.first { $0.field == "tasks" }?.message.contains("empty") == true)
        #expect(found.first { $0.field == "seeds" }?.message.contains("missing") == true)
        #expect(found.count == 3)
    }

    @Test func wrongTypesAreNamed() {
        let found = faults("""
            noise_ratios: "0.1"
            tasks: {digits: 1}
            methods: [[lp]]
            seeds: [-1, "2", 010]
            """)
        #expect(found.first { $0.field == "noise_ratios" }?.message == "expected a list of noise ratios, found '0.1'")
        #expect(found.first { $0.field == "tasks" }?.message == "expected a list of tasks, found a mapping")
        #expect(found.first { $0.field == "methods[0]" }?.message == "expected a string, found a list")
        #expect(found.first { $0.field == "seeds[0]" }?.message.contains("out of range") == true)
        #expect(found.first { $0.field == "seeds[1]" }?.message == "expected an integer, found '2'")
        #expect(found.first { $0.field == "seeds[2]" }?.message == "expected an integer, found '010'")
    }

    @Test func methodFaults() {
        let found = faults("""
            noise_ratios: [0]
            tasks: [digits]
            seeds: 1
            methods:
              - method: lp
                consistency_weight: 2
              - {epochs: 3}
              - lp
              - {method: mlp, learning_rate: 0}
              - {method: mlp, hidden_multiplier: 2, lr: 0.1}
            """)
        #expect(found.first { $0.field == "methods[0].consistency_weight" }?.message.contains("lp does not use") == true)
        #expect(found.first { $0.field == "methods[1]" }?.message.contains("needs 'method:'") == true)
        #expect(found.first { $0.field == "methods[2]" } == nil)  // lp with defaults is not the overridden methods[0]
        #expect(found.first { $0.field == "methods[3].learning_rate" }?.message == "must be greater than 0")
        #expect(found.first { $0.field == "methods[4].lr" }?.line == 10)
    }

    @Test func nmtuneArithmeticFaults() {
        let found = faults("""
            noise_ratios: [0]
            tasks: [digits]
            seeds: 1
            methods:
              - {method: mlp, nmtune_arithmetic: 2}
              - {method: nmtune, nmtune_arithmetic: 3}
              - {method: nmtune, nmtune_arithmetic: 0}
            """)
        #expect(found.first { $0.field == "methods[0].nmtune_arithmetic" }?.message.contains("mlp does not use nmtune_arithmetic (only nmtune uses it)") == true)
        #expect(found.first { $0.field == "methods[1].nmtune_arithmetic" }?.message.hasPrefix("3 is out of range") == true)
        #expect(found.first { $0.field == "methods[2].nmtune_arithmetic" } != nil)
    }

    @Test func duplicateMethodIsAFault() {
        let found = faults("noise_ratios: [0]\ntasks: [digits]\nseeds: 1\nmethods: [lp, mlp, {method: lp}]")
        #expect(found.map(\.field) == ["methods[2]"])
        #expect(found.first?.message.contains("methods[0]") == true)
    }

    @Test func blackBoxAndPretrainTogetherIsAFault() {
        let found = faults("noise_ratios: [0]\nmethods: [lp]\nseeds: 1\npretrain: {epochs: 1}\nfeatures: {path: 'x/{split}.npy', labels: 'y/{split}.npy'}")
        #expect(found.contains { $0.field == "pretrain" && $0.line == 4 })
    }

    @Test func unreadableFileIsOneFault() {
        #expect(throws: GridError.self) { try Grid.load(path: "/nonexistent/grid.yaml") }
    }
}
