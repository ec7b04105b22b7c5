import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

@Suite struct EmbeddedPostgresTests {
    /// The `nmsweep` executable built next to this test bundle.
    static var nmsweepExecutable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nmsweep").path
    }

    /// The server runs as another user from another directory, so a relative state folder must
    /// become absolute (a relative one made pg_ctl look for a data folder that did not exist).
    @Test func relativeStateFolderIsMadeAbsolute() {
        let server = EmbeddedPostgres(stateDirectory: "some/./state/../state")
        #expect(server.stateDirectory == FileManager.default.currentDirectoryPath + "/some/state")
        #expect(server.dataDirectory.hasPrefix("/"))
        #expect(EmbeddedPostgres(stateDirectory: "/abs/x/").stateDirectory == "/abs/x")
    }

    @Test func startsIsReusedByAnotherProcessAndStops() throws {
        let directory = "/tmp/nmsweep-embedded-test-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = EmbeddedPostgres(stateDirectory: directory, durable: false)
        defer { _ = try? server.stop() }
        #expect(try server.status() == nil)

        let endpoint = try server.start()
        let db = try SweepDatabase(url: endpoint.url())
        try db.createSweep(name: "kept", grid: "g", canonicalGrid: "{}")
        let pid = try String(contentsOfFile: server.dataDirectory + "/postmaster.pid", encoding: .utf8).split(separator: "\n")[0]

        // The cluster never runs as root.
        var info = stat()
        #expect(stat(server.dataDirectory, &info) == 0)
        if geteuid() == 0 { #expect(info.st_uid != 0) }

        // A second instance in this process, and a second process, find the same server.
        #expect(try EmbeddedPostgres(stateDirectory: directory).start() == endpoint)
        let executable = Self.nmsweepExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build nmsweep first: \(executable)")
        let printed = try Self.run(executable, ["db", "url", "--state-dir", directory])
        #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == endpoint.url())
        let samePID = try String(contentsOfFile: server.dataDirectory + "/postmaster.pid", encoding: .utf8).split(separator: "\n")[0]
        #expect(samePID == pid)

        // Stop, then start again: same data, same port.
        #expect(try server.stop())
        #expect(try server.status() == nil)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/postmaster.pid"))
        #expect(try server.stop() == false)
        let again = try server.start()
        #expect(again.port == endpoint.port)
        #expect(try SweepDatabase(url: again.socketURL()).sweep(named: "kept") != nil)
        #expect(try server.stop())
    }

    @Test func serverGoneThenBackIsReconnected() throws {
        let directory = "/tmp/nmsweep-restart-test-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = EmbeddedPostgres(stateDirectory: directory, durable: false)
        defer { _ = try? server.stop() }
        let endpoint = try server.start()
        let c = try PostgresConnection(url: endpoint.url(), reconnectPolicy: .init(maxAttempts: 3, initialDelay: 0.05))
        #expect(try c.query("SELECT 1", [])[0].decode(0, as: Int.self) == 1)
        try server.stop()
        let lost = try #require(throws: PostgresError.self) { try c.query("SELECT 2", []) }
        #expect(lost.code == .connectionLost)
        let down = try #require(throws: PostgresError.self) { try c.query("SELECT 3", []) }
        #expect(down.code == .connection)
        #expect(!down.description.contains(endpoint.url().split(separator: ":")[2].split(separator: "@")[0]))  // no password
        try server.start()
        #expect(try c.query("SELECT 4", [])[0].decode(0, as: Int.self) == 4)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
