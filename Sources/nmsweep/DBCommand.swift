import ArgumentParser
import CommandSupport
import Foundation
import SweepStore

/// Options shared by every command that reads the results database.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("database"),
            help: "PostgreSQL URL (postgresql://user:pw@host/db). Default: DATABASE_URL or PG* variables, else the embedded server.")
    var database: String?

    @Option(name: .customLong("state-dir"),
            help: "State folder of the embedded server (default: NMSWEEP_STATE_DIR, /var/lib/nmsweep for root, else ~/.local/state/nmsweep).")
    var stateDirectory: String?

    var location: StoreLocation { .resolve(database: database, stateDirectory: stateDirectory) }

    var embeddedStateDirectory: String { stateDirectory ?? StoreLocation.defaultStateDirectory }

    /// Opens the store for reading, turning failures into a message and exit code 1.
    ///
    /// Never creates a database: with no URL configured, the embedded server's cluster must
    /// already exist in the state folder (it is started if it is stopped); otherwise the error
    /// says where it looked and how to point the command elsewhere.
    func open() throws -> SweepDatabase {
        if case .embedded(let directory) = location { try Self.requireEmbeddedCluster(directory, explicit: stateDirectory != nil) }
        do {
            return try location.open()
        } catch {
            throw CommandFailure("cannot open the results database: \(error)")
        }
    }

    /// Throws unless the state folder holds an embedded cluster (as a coordinator leaves it).
    static func requireEmbeddedCluster(_ directory: String, explicit: Bool) throws {
        let server = EmbeddedPostgres(stateDirectory: directory)
        guard !FileManager.default.fileExists(atPath: server.dataDirectory + "/PG_VERSION") else { return }
        let how = explicit ? "given by --state-dir"
            : ProcessInfo.processInfo.environment["NMSWEEP_STATE_DIR"].map { _ in "from NMSWEEP_STATE_DIR" } ?? "the default state folder"
        throw CommandFailure("""
            no results database in \(server.stateDirectory) (\(how)): there is no embedded PostgreSQL at \(server.dataDirectory), \
            and reading commands never create one.
              If the coordinator ran with --state-dir DIR, pass the same --state-dir DIR (or set NMSWEEP_STATE_DIR=DIR);
              for another PostgreSQL, pass --database URL or set DATABASE_URL.
              The coordinator prints where its results are, and the command that reads them, when it starts and when it ends.
            """)
    }
}

/// `nmsweep db …`: the embedded PostgreSQL server.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL server that holds results when no database is configured.",
        subcommands: [URL.self, Start.self, Stop.self, Status.self])

    struct URL: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the URL of the embedded server for psql (starting it if it is stopped; never creating one); it contains the password.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print the unix-socket URL instead of the TCP one.")
        var socket = false

        func run() throws {
            try StoreOptions.requireEmbeddedCluster(store.embeddedStateDirectory, explicit: store.stateDirectory != nil)
            let endpoint = try wrap { try EmbeddedPostgres(stateDirectory: store.embeddedStateDirectory).start() }
            print(socket ? endpoint.socketURL() : endpoint.url())
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded server (create it on first use) and apply migrations.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let directory = store.embeddedStateDirectory
            let endpoint = try wrap { try EmbeddedPostgres(stateDirectory: directory).start() }
            _ = try wrap { try SweepDatabase(url: endpoint.socketURL()) }
            print("embedded PostgreSQL running at \(endpoint) (state folder \(directory))")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded server; its data stays in the state folder.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let directory = store.embeddedStateDirectory
            let stopped = try wrap { try EmbeddedPostgres(stateDirectory: directory).stop() }
            print(stopped ? "stopped the embedded PostgreSQL in \(directory)" : "the embedded PostgreSQL in \(directory) was not running")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the embedded server runs, and where.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let directory = store.embeddedStateDirectory
            let server = EmbeddedPostgres(stateDirectory: directory)
            let running = try wrap({ try server.status() })
            print(running.map { "running at \($0) (state folder \(directory))" } ?? "not running (state folder \(directory))")
            let restarts = server.recordedRestarts()
            print("restarts by a coordinator's supervisor: \(restarts.count)"
                  + (restarts.last.map { " (last at \($0.time): \($0.reason))" } ?? ""))
            if running == nil { throw ExitCode(3) }
        }
    }
}

/// Runs `body`, turning any error into a ``CommandFailure`` with its readable description.
func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CommandFailure { throw error } catch { throw CommandFailure("\(error)") }
}
