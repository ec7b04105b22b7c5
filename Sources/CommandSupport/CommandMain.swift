public import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Parses the arguments and runs the command, with the exit codes the README documents:
    /// bad usage (an unknown option, a missing or malformed value, a failed `validate()`) exits
    /// **2** with the error and the usage on stderr; `--help` and `--version` exit 0; an
    /// ``ExitCode`` thrown by `run()` exits with its code; any other error prints its description
    /// and exits 1.
    ///
    /// ArgumentParser's own `main()` exits 64 (`EX_USAGE`) on bad usage; the tools promise 2.
    public static func mainExitingTwoOnUsageError(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
