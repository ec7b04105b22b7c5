import Foundation
import NoisyCore
import Yams

/// The `extract:` section of a grid: a command template run once per (noise ratio, seed) by a
/// worker that opted in, before the evaluate cells that read its output (docs/grid.md, "Command
/// cells").
public struct CommandTemplate: Hashable, Sendable {
    /// The program and its arguments with their placeholders (``Grid/commandPlaceholders``).
    public var command: [String]
    /// The inputs resolved against the grid's folder, each with the digest of its contents.
    public var inputs: [CommandInput]
    /// Variables added to the clean environment (values may hold placeholders too).
    public var environment: [String: String]
    public var timeoutSeconds: Int?
    /// Worker tags required, sorted; empty: any worker that opted in.
    public var requires: [String]
    /// The grid file's folder, which `{grid_dir}` stands for.
    public var gridDirectory: String

    public init(command: [String], inputs: [CommandInput] = [], environment: [String: String] = [:], timeoutSeconds: Int? = nil,
                requires: [String] = [], gridDirectory: String) {
        self.command = command
        self.inputs = inputs
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.requires = requires
        self.gridDirectory = gridDirectory
    }

    /// The command cell of (noise, seed): `{noise}`, `{seed}`, `{tasks}` and `{grid_dir}` filled
    /// in (in the arguments and the environment's values); the worker's own placeholders kept.
    public func spec(noiseRatio: Double, seed: UInt64, tasks: [String]) -> CommandSpec {
        let labels = tasks.map(Grid.taskLabel).joined(separator: ",")
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{noise}", with: Grid.noiseLabel(noiseRatio))
                .replacingOccurrences(of: "{seed}", with: String(seed))
                .replacingOccurrences(of: "{tasks}", with: labels)
                .replacingOccurrences(of: "{grid_dir}", with: gridDirectory)
        }
        return CommandSpec(command: command.map(fill), noiseRatio: noiseRatio, seed: seed, tasks: tasks, inputs: inputs,
                           environment: environment.mapValues(fill), timeoutSeconds: timeoutSeconds,
                           requires: requires.isEmpty ? nil : requires)
    }
}

extension Grid {
    static let commandKeys = ["command", "inputs", "env", "timeout", "requires"]
    /// Placeholders a command's arguments and environment may hold: filled in when the grid is
    /// expanded (`noise`, `seed`, `tasks`, `grid_dir`) or by the worker that runs it (`out`: the
    /// empty folder the command writes its features to; `data_dir`: the worker's data folder;
    /// `work`: the fresh folder it runs in).
    public static let commandPlaceholders = ["noise", "seed", "tasks", "grid_dir", "out", "data_dir", "work"]

    /// Reads an `extract:` section (``CommandTemplate``): every input digested, every placeholder
    /// known, `{noise}`/`{seed}` present when the grid has several noise ratios/seeds.
    static func readCommand(_ node: Node, noiseRatios: [Double], seeds: [UInt64], baseDirectory: String,
                            _ reader: inout GridReader) -> CommandTemplate? {
        guard let entries = reader.mapping(node, "extract", allowed: commandKeys) else { return nil }
        let before = reader.faults.count
        var command: [String] = []
        if let entry = entries["command"], let items = reader.list(entry.value, "extract.command", what: "argument") {
            for (i, item) in items.enumerated() {
                guard let argument = reader.string(item, "extract.command[\(i)]") else { continue }
                checkPlaceholders(argument, node: item, field: "extract.command[\(i)]", &reader)
                command.append(argument)
            }
            if let program = command.first, program.isEmpty {
                reader.fault(at: items[0], "extract.command[0]", "the program is empty")
            }
        } else if entries["command"] == nil {
            reader.fault(at: node, "extract.command", "missing: the program and its arguments, e.g. [python3, extract.py, --out, \"{out}\"]")
        }
        var environment: [String: String] = [:]
        if let entry = entries["env"], !reader.isNull(entry.value) {
            if case .mapping(let mapping) = entry.value {
                for (key, value) in mapping {
                    guard let name = reader.string(key, "extract.env") else { continue }
                    let field = "extract.env.\(name)"
                    guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                        reader.fault(at: key, field, "'\(name)' is not a variable name (letters, digits and '_', not starting with a digit)")
                        continue
                    }
                    if let reserved = reservedVariable(name) {
                        reader.fault(at: key, field, reserved)
                        continue
                    }
                    guard let text = reader.string(value, field) else { continue }
                    checkPlaceholders(text, node: value, field: field, &reader)
                    environment[name] = text
                }
            } else {
                reader.fault(at: entry.value, "extract.env", "expected a mapping of variable names to values, found \(reader.describe(entry.value))")
            }
        }
        var timeout: Int?
        if let entry = entries["timeout"], !reader.isNull(entry.value) {
            timeout = readDuration(entry.value, "extract.timeout", &reader)
        }
        var requires: [String] = []
        if let entry = entries["requires"], !reader.isNull(entry.value),
           let items = reader.list(entry.value, "extract.requires", what: "worker tag") {
            for (i, item) in items.enumerated() {
                guard let tag = reader.string(item, "extract.requires[\(i)]") else { continue }
                if let problem = workerTagProblem(tag) {
                    reader.fault(at: item, "extract.requires[\(i)]", problem)
                } else if !requires.contains(tag) {
                    requires.append(tag)
                }
            }
        }
        var inputs: [CommandInput] = []
        if let entry = entries["inputs"], !reader.isNull(entry.value),
           let items = reader.list(entry.value, "extract.inputs", what: "input file or folder") {
            for (i, item) in items.enumerated() {
                let field = "extract.inputs[\(i)]"
                guard let path = reader.string(item, field) else { continue }
                let resolved = resolve(path, against: baseDirectory)
                if inputs.contains(where: { $0.path == resolved }) {
                    reader.fault(at: item, field, "duplicate: \(resolved) is already an input")
                    continue
                }
                do {
                    inputs.append(CommandInput(path: resolved, sha256: try contentDigest(of: resolved)))
                } catch {
                    reader.fault(at: item, field, "\(error)")
                }
            }
        }
        let uses = command + environment.values.sorted()
        for (placeholder, count, axis) in [("{noise}", noiseRatios.count, "noise ratios"), ("{seed}", seeds.count, "seeds")]
        where count > 1 && !uses.contains(where: { $0.contains(placeholder) }) {
            reader.fault(at: entries["command"]?.value ?? node, "extract.command",
                         "the command needs \(placeholder) (in an argument or an env value): the grid has \(count) \(axis), and each must make its own features")
        }
        guard reader.faults.count == before else { return nil }
        return CommandTemplate(command: command, inputs: inputs, environment: environment, timeoutSeconds: timeout,
                               requires: requires.sorted(), gridDirectory: URL(fileURLWithPath: baseDirectory).standardizedFileURL.path)
    }

    /// Faults every `{name}` in `text` that is not a ``commandPlaceholders`` entry.
    private static func checkPlaceholders(_ text: String, node: Node, field: String, _ reader: inout GridReader) {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if !commandPlaceholders.contains(name) {
                let hint = suggestion(for: name, among: commandPlaceholders).map { " (did you mean '{\($0)}'?)" } ?? ""
                reader.fault(at: node, field, "unknown placeholder {\(name)}\(hint); known: \(commandPlaceholders.map { "{\($0)}" }.joined(separator: ", "))")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// Why a variable may not be set by `env:`, or nil: the worker sets the `NMSWEEP_` ones, and
    /// database and key variables never reach a command (docs/security.md).
    static func reservedVariable(_ name: String) -> String? {
        if name.hasPrefix("NMSWEEP_") { return "\(name): variables starting with NMSWEEP_ are set by the worker" }
        if name.hasPrefix("PG") || name == "DATABASE_URL" {
            return "\(name): database variables never reach a command (the worker holds no credentials to give it)"
        }
        return nil
    }

    /// Why `tag` cannot be a worker tag, or nil (the same rule as `nmsweep-worker --tags`).
    public static func workerTagProblem(_ tag: String) -> String? {
        guard !tag.isEmpty, tag.utf8.count <= 48, tag.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]*$", options: .regularExpression) != nil else {
            return "'\(tag)' is not a worker tag (1 to 48 letters, digits, '.', '_' or '-', starting with a letter or digit)"
        }
        return nil
    }

    /// A duration: whole seconds (`90`) or a number with a unit (`90s`, `30m`, `2h`), 1 s to 7 days.
    private static func readDuration(_ node: Node, _ field: String, _ reader: inout GridReader) -> Int? {
        guard let text = reader.string(node, field) else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let factor = units[last] {
            digits = digits.dropLast()
            unit = factor
        }
        guard let value = GridReader.strictInt(String(digits)), value > 0 else {
            reader.fault(at: node, field, "expected a duration such as 90s, 30m or 2h (or whole seconds), found '\(text)'")
            return nil
        }
        let (seconds, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow, seconds <= 7 * 86_400 else {
            reader.fault(at: node, field, "\(text) is longer than the limit of 7 days")
            return nil
        }
        return seconds
    }

    private static func resolve(_ path: String, against base: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true))
        return url.standardizedFileURL.path
    }

    /// SHA-256 of a file's bytes; of a folder, SHA-256 over `relative path NUL digest LF` of every
    /// regular file under it in sorted path order (so renaming, adding or changing a file changes it).
    /// - Throws: ``CommandInputError`` naming the path that is missing or unreadable.
    public static func contentDigest(of path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandInputError(message: "input not found: \(path)")
        }
        do {
            guard isDirectory.boolValue else { return try sha256Hex(ofFileAt: path) }
            guard let paths = FileManager.default.enumerator(atPath: path) else {
                throw CommandInputError(message: "cannot list the input folder \(path)")
            }
            var listing: [UInt8] = []
            for case let relative as String in paths.allObjects.sorted(by: { ($0 as? String ?? "") < ($1 as? String ?? "") }) {
                let full = path + "/" + relative
                var sub: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue else { continue }
                listing += Array(relative.utf8) + [0] + Array(try sha256Hex(ofFileAt: full).utf8) + [10]
            }
            return sha256Hex(of: listing)
        } catch let error as CommandInputError {
            throw error
        } catch {
            throw CommandInputError(message: "cannot read the input \(path): \(error)")
        }
    }
}

/// An input of a command cell that cannot be digested.
public struct CommandInputError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
