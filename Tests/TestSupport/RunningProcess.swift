import Foundation

/// A package executable started in the background, for tests that must act on a process while it
/// runs: kill it hard in the middle of a sweep, stop it with SIGTERM, wait for a line of output.
///
/// Output is collected on background threads as it arrives, so `standardOutput`/`standardError`
/// can be read at any time; a process still running when the value is dropped is killed.
public final class RunningProcess: @unchecked Sendable {
    public let name: String
    private let process: Process
    private let output: PipeCollector
    private let errors: PipeCollector

    /// Starts `name` (a product of this package, see `ProcessRunner.executable`) with `arguments`.
    /// `environment` entries are added to this process's environment.
    public init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ProcessRunner.executable(name))
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        output = PipeCollector(out)
        errors = PipeCollector(err)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGKILL, SIGTERM, SIGINT, SIGSTOP, SIGCONT, …).
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the exit; returns its status, or nil when it still runs after `timeout` seconds.
    /// A process ended by a signal reports minus the signal number (SIGKILL → -9).
    @discardableResult
    public func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }

    /// Kills it hard (if running) and waits for the exit; returns the final outcome.
    @discardableResult
    public func killAndWait() -> ProcessRunner.Outcome {
        signal(SIGKILL)
        let status = wait(timeout: 30) ?? -9
        return ProcessRunner.Outcome(status: status, standardOutput: output.text(), standardError: errors.text())
    }

    /// Waits for the process to end by itself, up to `timeout` seconds, then kills it (status -9).
    public func finish(timeout: Double) -> ProcessRunner.Outcome {
        if let status = wait(timeout: timeout) {
            return ProcessRunner.Outcome(status: status, standardOutput: output.text(), standardError: errors.text())
        }
        return killAndWait()
    }

    /// What it printed so far.
    public var standardOutput: String { output.snapshot() }
    public var standardError: String { errors.snapshot() }

    /// Waits until standard error or output contains `text`; false after `timeout` seconds or
    /// when the process ended without printing it.
    public func waitForOutput(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if errors.snapshot().contains(text) || output.snapshot().contains(text) { return true }
            if !process.isRunning { return errors.snapshot().contains(text) || output.snapshot().contains(text) }
            usleep(20_000)
        }
        return false
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass; returns whether it held.
public func eventually(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(20_000)
    } while Date() < deadline
    return try condition()
}
