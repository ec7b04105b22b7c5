import Foundation

/// A progress bar on stderr for a command a person waits on (`nmsweep data fetch`, `nmsweep
/// features export`), only when stderr is a terminal: one line rewritten in place —
/// `label [██████······] 3/8  what runs now  12s`. Elsewhere (a pipe, a log file) it draws nothing
/// and ``log(_:)`` prints plain lines, so scripts see what they saw before.
public final class TerminalProgress: @unchecked Sendable {
    // @unchecked Sendable: every stored var is read and written under `lock`.
    private let lock = NSLock()
    private let label: String
    private var total: Int
    private let isTerminal: Bool
    private let start = Date()
    private var done = 0
    private var detail = ""
    private var drawn = false

    /// Bar cells.
    static let width = 24

    /// - Parameter terminal: whether to draw (nil: when stderr is a terminal).
    public init(label: String, total: Int, terminal: Bool? = nil) {
        self.label = label
        self.total = max(total, 0)
        self.isTerminal = terminal ?? (isatty(2) != 0)
    }

    /// `done` of `total` steps finished (`total` given when the count became known only now);
    /// `detail` says what runs now.
    public func update(done: Int, total: Int? = nil, detail: String) {
        lock.lock()
        defer { lock.unlock() }
        if let total { self.total = max(total, 0) }
        self.done = min(max(done, 0), self.total)
        self.detail = detail
        draw()
    }

    /// A line for the record: above the bar on a terminal, plain otherwise.
    public func log(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal && drawn { put(Self.clear) }
        put(line + "\n")
        if isTerminal && drawn { draw() }
    }

    /// Leaves the finished bar on screen and moves to the next line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal && drawn { put("\n") }
        drawn = false
    }

    /// The bar's text (without the escape codes).
    public static func line(label: String, done: Int, total: Int, detail: String, seconds: Double) -> String {
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        return "\(label) [\(bar)] \(done)/\(total)" + (detail.isEmpty ? "" : "  \(detail)") + "  \(Int(seconds))s"
    }

    private func draw() {
        guard isTerminal else { return }
        drawn = true
        put(Self.clear + Self.line(label: label, done: done, total: total, detail: detail, seconds: Date().timeIntervalSince(start)))
    }

    /// Carriage return and "erase the whole line" (ECMA-48 EL 2).
    static let clear = "\r\u{1B}[2K"

    private func put(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
