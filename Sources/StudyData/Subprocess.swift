import Foundation
import NoisyCore

/// Runs an outside command (apt-get, pip) to completion, its output captured.
///
/// Synchronous: `nmsweep data fetch` runs on the main thread, never on Swift's cooperative pool.
enum Subprocess {
    struct Result {
        let status: Int32
        let output: String

        /// The last lines of the output, for an error message.
        var outputTail: String {
            let lines = output.split(separator: "\n").suffix(6)
            return lines.isEmpty ? "(no output)" : lines.joined(separator: " | ")
        }
    }

    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments and `environment` added
    /// to the current one; stdout and stderr are merged into `output`.
    /// - Throws: ``DataError`` `.fetchFailed` when the command cannot be started.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DataError(.fetchFailed, "cannot start `\(arguments.joined(separator: " "))`: \(error.localizedDescription)")
        }
        // One pipe, read to its end before waiting: the child never blocks on a full pipe.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The full path of `command` on PATH, or nil.
    static func which(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
