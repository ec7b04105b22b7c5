import Foundation

/// Debian's `chromium` in headless mode, for tests of the live page in a real browser.
///
/// The page polls on timers, so the tests run it under a *virtual-time budget*: Chromium runs the
/// page's timers in virtual time, pausing that clock while a fetch is in flight, and dumps the DOM
/// (or takes a screenshot) when the budget is spent — N seconds of the page's life, polls included,
/// in a fraction of that in real time, with every fetch a real request to the real server.
public enum HeadlessChromium {
    /// The browser's path, or nil when it is not installed (`make test` installs the `chromium` package).
    public static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the browser tests are skipped, for the test's message.
    public static let missing = "headless Chromium is not installed (Debian package `chromium`; `make test` installs it): the browser test is skipped"

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// The DOM after `virtualMilliseconds` of the page's life.
    public static func dumpDOM(_ url: String, virtualMilliseconds: Int, timeout: Double = 120) throws -> String {
        try run(["--dump-dom", "--virtual-time-budget=\(virtualMilliseconds)", url], timeout: timeout)
    }

    /// A PNG of the page after `virtualMilliseconds`, `width` × `height` CSS pixels.
    public static func screenshot(_ url: String, to file: String, width: Int = 1280, height: Int = 1500,
                                  virtualMilliseconds: Int, timeout: Double = 120) throws {
        _ = try run(["--screenshot=\(file)", "--window-size=\(width),\(height)", "--hide-scrollbars",
                     "--virtual-time-budget=\(virtualMilliseconds)", url], timeout: timeout)
        guard let data = FileManager.default.contents(atPath: file), data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            throw Failure(description: "chromium wrote no PNG at \(file)")
        }
    }

    static func run(_ arguments: [String], timeout: Double) throws -> String {
        guard let path else { throw Failure(description: missing) }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let collector = PipeCollector(output)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "chromium \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        usleep(50_000)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chromium exited with \(process.terminationStatus): \(collector.text().suffix(500))")
        }
        return collector.text()
    }
}
