import Foundation
import PackagePlugin

/// Writes `BuildRevision.swift` (the git revision and the vector ISA of this build) into the
/// `BuildInfo` target before every build, through `scripts/build-revision.sh`.
///
/// A prebuild command, because the revision changes without any input file of the package
/// changing; the script rewrites the file only when its text changes, so an unchanged revision
/// recompiles nothing. Outside a git checkout (a tarball) the revision is `unknown`.
@main
struct RevisionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let package = context.package.directoryURL
        let march = ProcessInfo.processInfo.environment["NMSWEEP_MARCH"] ?? "native"
        return [.prebuildCommand(
            displayName: "Recording the git revision of \(target.name)",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [package.appendingPathComponent("scripts/build-revision.sh").path, package.path, output.path, march],
            outputFilesDirectory: output)]
    }
}
