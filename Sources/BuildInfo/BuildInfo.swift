import SweepKit

/// What a binary was built from: the release, the result format, the git revision and the vector
/// ISA. `--version` on every binary prints ``versionText(tool:)``; a worker announces
/// ``workerVersion`` in READY, so `nmsweep status` shows which build each worker runs.
///
/// The revision is recorded at build time by `scripts/build-revision.sh` (run by
/// `Plugins/RevisionPlugin`): `unknown` when the package was built outside git (a tarball), with
/// `-dirty` when tracked files differed from the commit.
public enum BuildInfo {
    /// The release of the nmsweep tools.
    public static let release = "0.13.0"
    /// The git revision (12 hex digits, maybe `-dirty`), or `unknown`.
    public static let revision = buildRevision
    /// The vector ISA the numeric code was compiled for (`NMSWEEP_MARCH`).
    public static let march = buildMarch
    /// Whether this is an optimised build (tests and benchmarks expect one).
    public static var configuration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// One line: `TOOL RELEASE (result format N, git REV, release build, march M)`.
    public static func versionText(tool: String) -> String {
        "\(tool) \(release) (result format \(SweepKit.resultFormatVersion), git \(revision), \(configuration) build, march \(march))"
    }

    /// The worker's software version in READY (at most 64 bytes: ``WireFormat/maxNameBytes``).
    public static var workerVersion: String {
        String("nmsweep-worker \(release) git \(revision)".utf8.prefix(WireFormat.maxNameBytes)) ?? "nmsweep-worker \(release)"
    }
}
