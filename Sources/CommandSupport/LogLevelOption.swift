public import ArgumentParser
public import Logging
import Foundation

/// `--log-level`: the least severe log level printed (default `info`).
public struct LogLevelOption: ParsableArguments {
    @Option(name: .customLong("log-level"),
            help: "The least severe log level printed: trace, debug, info, notice, warning, error or critical.")
    public var logLevel: Logger.Level = .info

    public init() {}

    /// Bootstraps the logging system once for this process (only `main` does this): lines go
    /// through `write` (default: stderr), formatted as `TIME LEVEL LABEL: message [key=value …]`.
    public func bootstrap(write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        let level = logLevel
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, write: write) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A log handler that formats each record as one line and hands it to a function: the
/// coordinator routes its lines through its live progress line, which clears and redraws around
/// them (`ProgressReporter`).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let suffix = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        write("\(Self.timestamp()) \(event.level) \(label): \(event.message)\(suffix)\n")
    }

    /// Writes to stderr in one `write(2)`, so lines of concurrent threads do not interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
