import Foundation
package import SweepKit

/// Model artifacts on disk, one file per SHA-256: `<cache>/artifacts/<hex>.bin`, written to a
/// temporary name and renamed, so a reader never sees half a file.
package struct ArtifactCache: Sendable {
    package let directory: String

    package init(root: String) {
        directory = root + "/artifacts"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    package func path(_ digest: ArtifactDigest) -> String { "\(directory)/\(digest.hex).bin" }

    package func read(_ digest: ArtifactDigest) -> [UInt8]? {
        FileManager.default.contents(atPath: path(digest)).map { [UInt8]($0) }
    }

    package func write(_ bytes: [UInt8], digest: ArtifactDigest) {
        let temporary = path(digest) + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else { return }
        _ = rename(temporary, path(digest))
    }

    /// Every artifact held (at most `limit`).
    package func list(limit: Int) -> [ArtifactDigest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.compactMap { ArtifactDigest(hex: String($0.dropLast(4))) }
            .sorted().prefix(limit).map { $0 }
    }
}
