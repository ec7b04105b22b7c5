import Foundation

/// Runs the package's own executables (`nmsweep-coordinator`, `nmsweep-worker`, …) as real
/// processes, for multi-process tests.
///
/// The build puts products next to the test bundle, so they are looked up in the directory of
/// this process's executable (`/proc/self/exe`), then in `.build/release`.
public enum ProcessRunner {
    /// What a finished process printed and how it ended.
    public struct Outcome: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// The path of a built product; throws naming where it looked. An absolute path (a system tool
    /// such as `/usr/sbin/ip`) is taken as it is.
    public static func executable(_ name: String) throws -> String {
        if name.hasPrefix("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw ProcessRunnerError(description: "\(name) is not an executable file")
            }
            return name
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var candidates = [URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path]
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/release/" + name)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw ProcessRunnerError(description: "\(name) is not built (looked in \(candidates.joined(separator: ", "))); run `swift build -c release` first")
    }

    /// Runs `name` with `arguments` to its end, or kills it after `timeout` seconds (status -9).
    public static func run(_ name: String, _ arguments: [String], timeout: Double = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(name))
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Read both pipes while it runs, so a chatty process never blocks on a full pipe.
        let outData = PipeCollector(out), errData = PipeCollector(err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        var status = process.isRunning ? Int32(-9) : process.terminationStatus
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            status = -9
        }
        return Outcome(status: status, standardOutput: outData.text(), standardError: errData.text())
    }
}

public struct ProcessRunnerError: Error, CustomStringConvertible {
    public var description: String
}

/// Collects a pipe's bytes on a background thread.
final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                lock.unlock()
            }
            done.signal()
        }
        thread.start()
    }

    /// Everything, once the writer closed the pipe (waits up to 10 s for that).
    func text() -> String {
        _ = done.wait(timeout: .now() + 10)
        done.signal()
        return snapshot()
    }

    /// What arrived so far, without waiting.
    func snapshot() -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
