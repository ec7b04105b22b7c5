public import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Parses the arguments and runs the command, with the exit codes the README documents:
    /// bad usage (an unknown option, a missing or malformed value, a failed `validate()`) exits
    /// **2** with the error and the usage on stderr; `--help` and `--version` exit 0; an
    /// ``ExitCode`` thrown by `run()` exits with its code; a ``CommandFailure`` prints
    /// `error: <message>` and exits with its code (1 or 2); any other error prints
    /// `error: <its description>` and exits 1.
    ///
    /// ArgumentParser's own `main()` exits 64 (`EX_USAGE`) on bad usage; the tools promise 2.
    public static func mainExitingTwoOnUsageError(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            // --help, --version and an explicit ExitCode keep ArgumentParser's handling.
            if code == .success || error is ExitCode { exit(withError: error) }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
