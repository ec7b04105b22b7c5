/// A titled grid of cells, printed as aligned plain text or as a Markdown table.
public struct TextTable: Sendable, Equatable {
    public var title: String
    public var headers: [String]
    public var rows: [[String]]

    public init(title: String, headers: [String], rows: [[String]]) {
        self.title = title
        self.headers = headers
        self.rows = rows
    }

    /// Columns padded to their widest cell (counted in characters), the first left-aligned, the rest right.
    public var plainText: String {
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return i == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        var out = [title, line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }

    /// A Markdown table under a `###` heading; `|` in cells is escaped.
    public var markdown: String {
        func escape(_ s: String) -> String { s.replacingAll("|", with: "\\|") }
        var out = ["### " + escape(title), "", "| " + headers.map(escape).joined(separator: " | ") + " |",
                   "|" + headers.enumerated().map { i, _ in i == 0 ? "---|" : "---:|" }.joined()]
        out += rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
