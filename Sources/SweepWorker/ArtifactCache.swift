import Foundation
import StudyData
package import SweepKit

/// The worker's artifact store: its own cache (`<cache>/artifacts/<hex>.bin`), or, with
/// `--artifact-dir`, the shared folder the coordinator and the other workers read
/// (``ArtifactFolder``, `.shared` layout). Either way files are written to a temporary name,
/// checked against their SHA-256 and renamed, so a reader never sees half a file; reads check
/// the SHA-256 again (a damaged file is moved aside and fetched or made again).
package struct ArtifactCache: Sendable {
    package let store: ArtifactFolder

    /// The worker's own cache under `root`.
    package init(root: String) {
        let directory = root + "/artifacts"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = ArtifactFolder(root: directory, layout: .cache)
    }

    /// The shared artifact folder (`--artifact-dir`, checked at start-up: ``ArtifactFolder/shared(at:)``).
    package init(shared: ArtifactFolder) { store = shared }

    /// Whether artifacts live in the folder the coordinator reads too: then none is uploaded.
    package var isShared: Bool { store.layout == .shared }

    package var directory: String { store.root }

    package func path(_ digest: ArtifactDigest) -> String { store.path(digest) }

    /// A small artifact's bytes (a model file), checked against its digest; nil when absent or damaged.
    package func read(_ digest: ArtifactDigest) -> [UInt8]? { store.readVerified(digest) }

    /// Stores a small artifact made in memory (a pre-training's model) and says what it stored.
    package func write(_ bytes: [UInt8], kind: String) throws -> StoredArtifact {
        let digest = ArtifactDigest(hex: SHA256.hash(bytes).hex)!
        try store.store(bytes, digest: digest, kind: kind)
        return StoredArtifact(digest: digest, bytes: UInt64(bytes.count))
    }

    /// Every artifact held (at most `limit`).
    package func list(limit: Int) -> [ArtifactDigest] { store.list(limit: limit) }
}
