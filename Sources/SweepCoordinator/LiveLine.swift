import Foundation

/// The coordinator's stderr on a terminal: one status line rewritten in place, and log lines
/// (its own and its local workers') printed above it, never glued to it.
///
/// Every write goes through here under one lock: a log line clears the status line
/// (`\r` + erase line), prints itself with its newline, and redraws the status line after it.
/// Until ``activate()`` (no live line: log mode, not a terminal) lines pass straight through.
public final class LiveLine: @unchecked Sendable {
    /// The process's one stderr.
    public static let standardError = LiveLine(fileDescriptor: 2)

    // @unchecked Sendable: every stored property is read and written under `lock`.
    private let lock = NSLock()
    private let fileDescriptor: Int32
    private var active = false
    private var status = ""

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// From now on a status line is kept at the bottom.
    func activate() {
        lock.lock()
        active = true
        lock.unlock()
    }

    /// Prints `text` (one or more whole lines, each ending in a newline) above the status line.
    public func log(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if active && !status.isEmpty {
            put(Self.clear + text + status)
        } else {
            put(text)
        }
    }

    /// Replaces the status line.
    func update(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        status = text
        put(Self.clear + text)
    }

    /// Ends the status line (leaves it on screen, moves to the next line) and stops redrawing it.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if active && !status.isEmpty { put("\n") }
        status = ""
        active = false
    }

    /// Carriage return and "erase the whole line" (ECMA-48 EL 2).
    static let clear = "\r\u{1B}[2K"

    /// One `write(2)` per call (looping on short writes), so nothing else lands in between.
    private func put(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fileDescriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
    }
}
