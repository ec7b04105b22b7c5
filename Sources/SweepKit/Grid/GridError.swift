/// One fault of a grid file: where it is and what is wrong.
public struct GridFault: Hashable, Sendable, CustomStringConvertible {
    /// The grid file's path as given (or `<string>` for text parsed without a file).
    public var file: String
    /// 1-based line and column of the offending node (of the enclosing mapping when a field is missing).
    public var line: Int
    public var column: Int
    /// The field at fault as a dotted path, e.g. `methods[2].learning_rate`; `yaml` for syntax errors.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `file:line:column: field: message`, the form compilers use so editors can jump to it.
    public var description: String { "\(file):\(line):\(column): \(field): \(message)" }
}

/// A grid file that cannot be used, with every fault found (validation does not stop at the first).
public struct GridError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The faults in file order (by line, then column).
    public var faults: [GridFault]

    public init(faults: [GridFault]) {
        self.faults = faults.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    public var description: String {
        let count = faults.count == 1 ? "1 fault" : "\(faults.count) faults"
        return "invalid grid (\(count)):\n" + faults.map { "  \($0)" }.joined(separator: "\n")
    }
}
