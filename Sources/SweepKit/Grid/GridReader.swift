import Yams

/// Typed access to a composed YAML tree that records a ``GridFault`` (with the node's line and
/// column) for every value of the wrong type or out of range, and carries on: validation collects
/// all faults rather than stopping at the first.
struct GridReader {
    let file: String
    private(set) var faults: [GridFault] = []

    init(file: String) { self.file = file }

    mutating func fault(at node: Node?, _ field: String, _ message: String) {
        let mark = node?.mark
        faults.append(GridFault(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, field: field, message: message))
    }

    mutating func fault(line: Int, column: Int, _ field: String, _ message: String) {
        faults.append(GridFault(file: file, line: line, column: column, field: field, message: message))
    }

    /// A short description of what a node holds, for "expected …, found …".
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "nothing (null)" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            return "'\(text)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// Whether `node` is YAML's null (`~`, `null`, or nothing at all).
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The entries of a mapping by key, after reporting every key not in `allowed` (with a
    /// suggestion when one is close) and every key that is not a string.
    mutating func mapping(_ node: Node, _ field: String, allowed: [String]) -> [String: (key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            fault(at: node, field, "expected a mapping, found \(describe(node))")
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                fault(at: key, field, "keys must be plain names, found \(describe(key))")
                continue
            }
            let name = scalar.string
            let path = field.isEmpty ? name : "\(field).\(name)"
            guard allowed.contains(name) else {
                let hint = suggestion(for: name, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                fault(at: key, path, "unknown key\(hint); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            entries[name] = (key, value)
        }
        return entries
    }

    /// The items of a list; `nil` (with a fault) for anything else, including an empty list.
    mutating func list(_ node: Node, _ field: String, what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fault(at: node, field, isNull(node) ? "empty: give at least one \(what)" : "expected a list of \(what)s, found \(describe(node))")
            return nil
        }
        guard !sequence.isEmpty else {
            fault(at: node, field, "empty: give at least one \(what)")
            return nil
        }
        return Array(sequence)
    }

    /// A string scalar (any quoting); `nil` with a fault for null, lists and mappings.
    mutating func string(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            fault(at: node, field, "expected a string, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A decimal integer in `range`. Unquoted only: `'3'` is a string, and YAML 1.1's octal and
    /// sexagesimal forms (`010`, `1:30`) are refused rather than silently reinterpreted.
    mutating func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              !isNull(node), let value = Self.strictInt(scalar.string)
        else {
            fault(at: node, field, "expected an integer, found \(describe(node))")
            return nil
        }
        guard range.contains(value) else {
            fault(at: node, field, "\(value) is out of range: must be in \(Self.describe(range))")
            return nil
        }
        return value
    }

    /// `true` or `false` (unquoted; YAML 1.1's yes/no/on/off are refused).
    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              scalar.string == "true" || scalar.string == "false"
        else {
            fault(at: node, field, "expected true or false, found \(describe(node))")
            return nil
        }
        return scalar.string == "true"
    }

    /// A finite decimal number (integers accepted) satisfying `check`, which returns a complaint or `nil`.
    mutating func double(_ node: Node, _ field: String, _ check: (Double) -> String? = { _ in nil }) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              !isNull(node), let value = Self.strictDouble(scalar.string)
        else {
            fault(at: node, field, "expected a number, found \(describe(node))")
            return nil
        }
        if let complaint = check(value) {
            fault(at: node, field, complaint)
            return nil
        }
        return value
    }

    static func strictInt(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              !(digits.count > 1 && digits.hasPrefix("0")) else { return nil }
        return Int(text)
    }

    static func strictDouble(_ text: String) -> Double? {
        let allowed = Set("0123456789+-.eE")
        guard !text.isEmpty, text.allSatisfy({ allowed.contains($0) }), text.contains(where: \.isNumber),
              let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "[\(range.lowerBound), ∞)" : "[\(range.lowerBound), \(range.upperBound)]"
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
/// (at most 2 edits, or a third of the word's length).
func suggestion(for word: String, among candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(Array(word.lowercased()), Array(candidate))
        if distance <= limit, distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    return best?.0
}

/// Levenshtein distance; O(|a|·|b|), fine for key names.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        if !b.isEmpty {
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
