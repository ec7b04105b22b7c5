import SweepKit

extension Worker {
    /// READY's capabilities: the baseline, plus `commands` and one `tag:` per tag when the worker
    /// runs command cells (``Wire/Ready/commandCapabilities(allowCommands:tags:)``).
    static func capabilities(_ configuration: WorkerConfiguration, cache: ArtifactCache) -> [String] {
        ["noop", Wire.Ready.resultFormatCapability]
            + Wire.Ready.commandCapabilities(allowCommands: configuration.allowCommands, tags: configuration.tags)
            + (cache.isShared ? [Wire.Ready.artifactFolderCapability(identity: (try? cache.store.identity()) ?? "unknown")] : [])
    }

    /// The artifact store: the shared folder of `--artifact-dir`, else the cache.
    static func artifactCache(_ configuration: WorkerConfiguration) -> ArtifactCache {
        guard let shared = configuration.artifactDirectory else { return ArtifactCache(root: configuration.cacheDirectory) }
        return ArtifactCache(shared: ArtifactFolder(root: shared, layout: .shared))
    }

    /// The runner of command cells, for a worker started with `--allow-commands` only.
    static func commandRunner(_ configuration: WorkerConfiguration) -> CommandRunner? {
        guard configuration.allowCommands else { return nil }
        return CommandRunner(cacheDirectory: configuration.cacheDirectory, dataDirectory: configuration.dataDirectory, artifacts: artifactCache(configuration),
                             stopGraceMilliseconds: configuration.shutdownGraceMilliseconds)
    }
}
