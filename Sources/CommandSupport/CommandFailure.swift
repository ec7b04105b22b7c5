/// A command's failure as every nmsweep binary reports it: `error: <message>` on stderr and a
/// stable exit code — **1** for a runtime failure (the database, a file, a cell), **2** for bad
/// input (a value, a file's contents), as ``ParsableCommand/mainExitingTwoOnUsageError(_:)``
/// handles it. The message names the file, field or value at fault and what to do.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32

    /// - Parameter exitCode: 1 (runtime failure, the default) or 2 (bad input).
    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    /// Bad input (exit 2): a value or file the user gave.
    public static func badInput(_ description: String) -> CommandFailure { CommandFailure(description, exitCode: 2) }
}
