import SweepKit

extension Worker {
    /// READY's capabilities: the baseline, plus `commands` and one `tag:` per tag when the worker
    /// runs command cells (``Wire/Ready/commandCapabilities(allowCommands:tags:)``).
    static func capabilities(_ configuration: WorkerConfiguration) -> [String] {
        ["noop", Wire.Ready.resultFormatCapability]
            + Wire.Ready.commandCapabilities(allowCommands: configuration.allowCommands, tags: configuration.tags)
    }

    /// The runner of command cells, for a worker started with `--allow-commands` only.
    static func commandRunner(_ configuration: WorkerConfiguration) -> CommandRunner? {
        guard configuration.allowCommands else { return nil }
        return CommandRunner(cacheDirectory: configuration.cacheDirectory, dataDirectory: configuration.dataDirectory,
                             stopGraceMilliseconds: configuration.shutdownGraceMilliseconds)
    }
}
