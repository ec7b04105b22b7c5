import Foundation
import NoisyCore
import SweepKit
import Testing

/// The `extract:` section (command cells): reading, faults with their field and line, keys and
/// expansion.
@Suite struct GridCommandTests {
    static func yaml(extract: String, noise: String = "[0, 0.2]", seeds: String = "2") -> String {
        """
        noise_ratios: \(noise)
        seeds: \(seeds)
        tasks: [mnist5k, mnist5k->digits]
        methods: [lp, nmtune]
        extract:
        \(extract)
        """
    }

    static let standard = """
          command: [python3, "{grid_dir}/extract.py", --noise, "{noise}", --seed, "{seed}", --tasks, "{tasks}", --out, "{out}"]
          inputs: [extract.py, data]
          env: {OMP_NUM_THREADS: "2", NOISE: "{noise}"}
          timeout: 30m
          requires: [gpu, a100]
        """

    /// A folder with `extract.py` and `data/{a,b/c}`.
    func makeInputs() throws -> URL {
        let dir = try makeTemporaryDirectory()
        try Data("print('extract')\n".utf8).write(to: dir.appendingPathComponent("extract.py"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data/b"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: dir.appendingPathComponent("data/a"))
        try Data("c".utf8).write(to: dir.appendingPathComponent("data/b/c"))
        return dir
    }

    @Test func readsTheSectionAndExpandsCommandCellsBeforeTheirEvaluateCells() throws {
        let dir = try makeInputs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = try Grid.parse(yaml: Self.yaml(extract: Self.standard), baseDirectory: dir.path)
        let template = try #require(grid.command)
        #expect(template.timeoutSeconds == 1800)
        #expect(template.requires == ["a100", "gpu"])
        #expect(template.inputs.map(\.path) == [dir.appendingPathComponent("extract.py").standardizedFileURL.path,
                                                 dir.appendingPathComponent("data").standardizedFileURL.path])
        let expanded = grid.expand()
        #expect(expanded.cells.count == grid.cellCount)
        #expect(expanded.cells.count == 2 * 2 * (1 + 2 * 2))
        let commands = expanded.cells.filter { if case .command = $0.spec { true } else { false } }
        #expect(commands.count == 4)
        #expect(commands.allSatisfy { $0.kind == .pretrain && $0.dependency == nil })
        guard case .command(let first) = commands[0].spec else { Issue.record("not a command"); return }
        #expect(first.command == ["python3", dir.standardizedFileURL.path + "/extract.py", "--noise", "0", "--seed", "0",
                                  "--tasks", "mnist5k,mnist5k-to-digits", "--out", "{out}"])
        #expect(first.environment == ["OMP_NUM_THREADS": "2", "NOISE": "0"])
        #expect(first.tasks == ["mnist5k", "mnist5k->digits"])
        // Every evaluate cell depends on the command cell of its (noise, seed) and names it.
        for cell in expanded.cells where cell.kind == .evaluate {
            guard case .evaluate(let spec) = cell.spec, case .command(let features) = spec.features else {
                Issue.record("an evaluate cell without command features")
                continue
            }
            let producer = try #require(expanded.cells.first { $0.key == cell.dependency })
            #expect(producer.key.hex == features.cell)
            guard case .command(let command) = producer.spec else { Issue.record("depends on a non-command"); continue }
            #expect(command.noiseRatio == spec.noiseRatio && command.seed == spec.seed)
        }
        // The key of a command cell leaves out its time limit and tags; the JSON sent keeps them.
        #expect(try CellKey(spec: commands[0].spec) == commands[0].key)
        #expect(commands[0].key == CellKey(canonicalJSON: try CanonicalJSON.encode(CellSpec.command(first.keyed))))
        #expect(String(decoding: commands[0].canonicalJSON, as: UTF8.self).contains("\"timeoutSeconds\":1800"))
        #expect(commands[0].spec.workerRequirement == ["a100", "gpu"])
        #expect(ScheduledCell(commands[0]).requires == ["a100", "gpu"])
        #expect(ScheduledCell(expanded.cells.last!).requires == nil)
    }

    @Test func changedInputBytesReKeyTheCommandAndItsEvaluateCellsButTimeoutAndTagsDoNot() throws {
        let dir = try makeInputs()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try Grid.parse(yaml: Self.yaml(extract: Self.standard), baseDirectory: dir.path).expand().keys
        let retimed = Self.standard.replacingOccurrences(of: "timeout: 30m", with: "timeout: 2h")
            .replacingOccurrences(of: "requires: [gpu, a100]", with: "requires: [gpu]")
        #expect(try Grid.parse(yaml: Self.yaml(extract: retimed), baseDirectory: dir.path).expand().keys == before)

        // A byte changed deep inside an input folder: every cell is new work.
        try Data("C".utf8).write(to: dir.appendingPathComponent("data/b/c"))
        let changed = try Grid.parse(yaml: Self.yaml(extract: Self.standard), baseDirectory: dir.path).expand().keys
        #expect(Set(changed).isDisjoint(with: before))
        // A renamed file in the folder, same bytes: new work too.
        try Data("C".utf8).write(to: dir.appendingPathComponent("data/b/d"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("data/b/c"))
        let renamed = try Grid.parse(yaml: Self.yaml(extract: Self.standard), baseDirectory: dir.path).expand().keys
        #expect(Set(renamed).isDisjoint(with: changed))
        // The same bytes again: the same keys (the digest is of contents, walked in order).
        try FileManager.default.moveItem(at: dir.appendingPathComponent("data/b/d"), to: dir.appendingPathComponent("data/b/c"))
        #expect(try Grid.parse(yaml: Self.yaml(extract: Self.standard), baseDirectory: dir.path).expand().keys == changed)
    }

    @Test func faultsNameTheFieldAndLine() throws {
        let dir = try makeInputs()
        defer { try? FileManager.default.removeItem(at: dir) }
        func faults(_ extract: String, noise: String = "[0, 0.2]", seeds: String = "2") -> [GridFault] {
            do {
                _ = try Grid.parse(yaml: Self.yaml(extract: extract, noise: noise, seeds: seeds), baseDirectory: dir.path)
                return []
            } catch let error as GridError {
                return error.faults
            } catch {
                return [GridFault(file: "", line: 0, column: 0, field: "?", message: "\(error)")]
            }
        }
        func expectFault(_ extract: String, field: String, line: Int, containing text: String,
                         noise: String = "[0, 0.2]", seeds: String = "2", sourceLocation: SourceLocation = #_sourceLocation) {
            let found = faults(extract, noise: noise, seeds: seeds)
            #expect(found.contains { $0.field == field && $0.line == line && $0.message.contains(text) },
                    "expected \(field) at line \(line) containing '\(text)', found \(found)", sourceLocation: sourceLocation)
        }
        let run = "  command: [sh, -c, \"run {noise} {seed} {out}\"]\n"
        expectFault("  inputs: [a.py]\n", field: "extract.command", line: 6, containing: "missing")
        expectFault("  command: [sh, \"{nosie}\", \"{seed}\"]\n", field: "extract.command[1]", line: 6,
                    containing: "unknown placeholder {nosie} (did you mean '{noise}'?)")
        expectFault("  command: [sh, \"{seed}\"]\n", field: "extract.command", line: 6, containing: "needs {noise}")
        expectFault("  command: [sh, \"{noise}\"]\n", field: "extract.command", line: 6, containing: "needs {seed}")
        expectFault(run + "  inputs: [missing.py]\n", field: "extract.inputs[0]", line: 7, containing: "input not found")
        expectFault(run + "  env: {PGPASSWORD: x}\n", field: "extract.env.PGPASSWORD", line: 7, containing: "database variables")
        expectFault(run + "  env: {NMSWEEP_OUT: x}\n", field: "extract.env.NMSWEEP_OUT", line: 7, containing: "set by the worker")
        expectFault(run + "  env: {1X: x}\n", field: "extract.env.1X", line: 7, containing: "not a variable name")
        expectFault(run + "  timeout: soon\n", field: "extract.timeout", line: 7, containing: "expected a duration")
        expectFault(run + "  timeout: 8d\n", field: "extract.timeout", line: 7, containing: "expected a duration")
        expectFault(run + "  timeout: 200h\n", field: "extract.timeout", line: 7, containing: "longer than the limit of 7 days")
        expectFault(run + "  requires: [\"g p u\"]\n", field: "extract.requires[0]", line: 7, containing: "not a worker tag")
        expectFault(run + "  comand: [x]\n", field: "extract.comand", line: 7, containing: "did you mean 'command'?")
        // One noise ratio and one seed need neither placeholder.
        #expect(faults("  command: [sh, -c, true]\n", noise: "[0]", seeds: "1").isEmpty)
        // extract with pretrain or features: refused, naming the other section.
        let both = Self.yaml(extract: run) + "\npretrain: {epochs: 1}\n"
        #expect(throws: GridError.self) { try Grid.parse(yaml: both, baseDirectory: dir.path) }
        do {
            _ = try Grid.parse(yaml: both, baseDirectory: dir.path)
        } catch let error as GridError {
            #expect(error.faults.contains { $0.field == "pretrain" && $0.message.contains("has no 'pretrain'") })
        }
    }
}
