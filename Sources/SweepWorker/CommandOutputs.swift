import Foundation
package import NoisyCore
import StudyData
package import SweepKit

/// The unpacked output folders of command cells on this worker: `<cache>/outputs/<sha256>/`, made
/// once per artifact from the cached archive (unpacked under a temporary name and renamed, so a
/// reader never sees half a folder), read by every evaluate cell of that command.
package struct CommandOutputs: Sendable {
    package let directory: String
    let cache: ArtifactCache

    package init(cacheDirectory: String, cache: ArtifactCache) {
        directory = cacheDirectory + "/outputs"
        self.cache = cache
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The folder of artifact `digest`, unpacked from the cache if it is not yet.
    /// - Throws: ``OutputArchiveError`` when the archive is missing or malformed.
    package func folder(of digest: ArtifactDigest) throws -> String {
        let folder = "\(directory)/\(digest.hex)"
        if FileManager.default.fileExists(atPath: folder) { return folder }
        let archive = cache.path(digest)
        guard FileManager.default.fileExists(atPath: archive) else {
            throw OutputArchiveError(message: "output \(digest.hex.prefix(12)) is not in \(cache.store.location)")
        }
        // Hashed in chunks before it is unpacked: a truncated or damaged file is moved aside.
        guard cache.store.verify(digest) else {
            throw OutputArchiveError(message: "output \(digest.hex.prefix(12)) in \(cache.store.location) does not hash to its digest (truncated or damaged): moved aside")
        }
        let temporary = "\(folder).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try OutputArchive.unpack(archive, into: temporary)
        // Another slot may have unpacked it meanwhile: either copy is the same bytes.
        if rename(temporary, folder) != 0, !FileManager.default.fileExists(atPath: folder) {
            throw OutputArchiveError(message: "cannot move the unpacked output into \(folder): \(String(cString: strerror(errno)))")
        }
        return folder
    }

    /// The evaluate spec with its command features replaced by the files of its task in the
    /// output folder (with their digests), as the black-box mode reads them.
    package func resolve(_ spec: EvaluateSpec, artifact digest: ArtifactDigest) throws -> EvaluateSpec {
        let folder = try folder(of: digest)
        let files = CommandSpec.outputFiles(task: spec.task)
        let paths = [files.trainFeatures, files.trainLabels, files.testFeatures, files.testLabels].map { folder + "/" + $0 }
        let digests = try paths.map { try SHA256.hash(fileAt: $0).hex }
        var resolved = spec
        resolved.features = .files(FeatureFiles(trainFeatures: paths[0], trainLabels: paths[1], testFeatures: paths[2],
                                                testLabels: paths[3], sha256: digests))
        return resolved
    }
}
