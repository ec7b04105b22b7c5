import Foundation
import Postgres

/// The embedded default: a private PostgreSQL cluster in a state folder, started with the installed
/// server's `initdb` and `pg_ctl`, reused while it runs, and left running when this process exits.
///
/// Layout under the state folder (`<state>`):
/// - `<state>/postgres/data` – the cluster (created once by `initdb`);
/// - `<state>/postgres/run` – its unix socket directory;
/// - `<state>/postgres/password` – the generated password of the superuser `nmsweep` (mode 0600);
/// - `<state>/postgres/server.log` – the server's log;
/// - `<state>/embedded.lock` – an `flock` that serialises start/stop between processes.
///
/// The server listens on the unix socket and on 127.0.0.1 at a port chosen free at `initdb` (and
/// chosen again if it is taken when the server next starts), with password (SCRAM) authentication on
/// both. Run as root, the cluster belongs to an unprivileged user (``clusterUser``), because PostgreSQL
/// refuses to run as root; every directory above the state folder must then be enterable by it.
public final class EmbeddedPostgres: Sendable {
    /// The state folder.
    public let stateDirectory: String
    /// When false, the server runs with `fsync`, `synchronous_commit` and `full_page_writes` off:
    /// fast, and safe only for throw-away clusters (tests, benchmarks of the client path).
    public let durable: Bool

    /// The database the store uses, created at first start.
    public static let databaseName = "nmsweep"
    /// The superuser role `initdb` creates.
    public static let roleName = "nmsweep"

    public init(stateDirectory: String, durable: Bool = true) {
        // Absolute: the server runs as another user and from another working directory, so a
        // relative folder (`--state-dir .study/state`) would name a different place for pg_ctl.
        let absolute = stateDirectory.hasPrefix("/") ? stateDirectory
            : FileManager.default.currentDirectoryPath + "/" + stateDirectory
        self.stateDirectory = (absolute as NSString).standardizingPath
        self.durable = durable
    }

    var clusterRoot: String { stateDirectory + "/postgres" }
    /// The cluster's data directory.
    public var dataDirectory: String { clusterRoot + "/data" }
    /// The directory of the server's unix socket.
    public var socketDirectory: String { clusterRoot + "/run" }
    /// The server's log file.
    public var logFile: String { clusterRoot + "/server.log" }
    var passwordFile: String { clusterRoot + "/password" }
    var configFile: String { dataDirectory + "/nmsweep.conf" }

    /// How to reach a running embedded server.
    public struct Endpoint: Sendable, Equatable {
        public let port: Int
        public let socketDirectory: String
        let password: String

        /// A TCP URL for psql and other clients on this machine, password included (keep it private).
        public func url(database: String = EmbeddedPostgres.databaseName) -> String {
            "postgresql://\(EmbeddedPostgres.roleName):\(password)@127.0.0.1:\(port)/\(database)"
        }

        /// A URL through the unix socket (faster; for processes of the cluster's user or root).
        public func socketURL(database: String = EmbeddedPostgres.databaseName) -> String {
            let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory
            return "postgresql://\(EmbeddedPostgres.roleName):\(password)@/\(database)?host=\(host)&port=\(port)"
        }
    }

    /// Starts the server if needed (creating the cluster on first use) and makes sure the store's
    /// database exists; returns how to reach it. Reuses a server that is already running.
    ///
    /// Takes about 0.7 s the first time (initdb + start), a few milliseconds when already running.
    @discardableResult
    public func start() throws -> Endpoint {
        try withStateLock {
            let user = try ClusterUser.resolve()
            let binaries = try ServerBinaries.find()
            try prepareDirectories(user: user)
            if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
                try initialise(user: user, binaries: binaries)
            }
            let endpoint: Endpoint
            if let running = try runningEndpoint(user: user, binaries: binaries) {
                endpoint = running
            } else {
                try choosePortIfTaken(user: user)
                try command(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-s", "start"], user: user)
                    .checkOrExplain("starting PostgreSQL in \(dataDirectory)", logFile: logFile)
                guard let started = try runningEndpoint(user: user, binaries: binaries) else {
                    throw SweepStoreError(.embeddedServer, "PostgreSQL in \(dataDirectory) reported started but is not running; see \(logFile)")
                }
                endpoint = started
            }
            try createDatabaseIfMissing(Self.databaseName, endpoint: endpoint)
            return endpoint
        }
    }

    /// The endpoint of the server if it is running, else nil; never starts anything.
    public func status() throws -> Endpoint? {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return nil }
        return try runningEndpoint(user: ClusterUser.resolve(), binaries: ServerBinaries.find())
    }

    /// Stops the server (fast shutdown: open sessions are ended, committed data is kept). Returns
    /// false if it was not running.
    @discardableResult
    public func stop() throws -> Bool {
        try withStateLock {
            guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return false }
            let user = try ClusterUser.resolve()
            let binaries = try ServerBinaries.find()
            guard try runningEndpoint(user: user, binaries: binaries) != nil else { return false }
            try command(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s", "stop"], user: user)
                .checkOrExplain("stopping PostgreSQL in \(dataDirectory)", logFile: logFile)
            return true
        }
    }

    /// Creates a database (if missing) on the running server; `name` must be a plain identifier.
    public func createDatabaseIfMissing(_ name: String, endpoint: Endpoint) throws {
        guard name.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw SweepStoreError(.invalidArgument, "database name \"\(name)\" must be lower-case letters, digits and _")
        }
        let admin = try PostgresConnection(url: endpoint.socketURL(database: "postgres"))
        defer { admin.close() }
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", name).count > 0
        guard !exists else { return }
        do {
            // An identifier cannot be a parameter; `name` was checked above to be a plain one.
            try admin.execute("CREATE DATABASE \(name)")
        } catch let error as PostgresError where error.sqlState == "42P04" {
            // Created meanwhile by another process: what we wanted.
        }
    }

    // MARK: - Steps

    func command(_ executable: String, _ arguments: [String], user: ClusterUser) -> SystemCommand {
        SystemCommand(executable: executable, arguments: arguments, user: user.runAs, workingDirectory: clusterRoot)
    }

    func prepareDirectories(user: ClusterUser) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        for directory in [clusterRoot, socketDirectory] {
            if !fm.fileExists(atPath: directory) {
                try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            try user.takeOwnership(of: directory)
        }
        try user.checkCanReach(clusterRoot)
        let socketPath = socketDirectory + "/.s.PGSQL.65535"
        guard socketPath.utf8.count < 108 else {
            throw SweepStoreError(
                .embeddedServer, "the state folder \(stateDirectory) is too deep for a unix socket path (\(socketPath.utf8.count) bytes, limit 107)",
                hint: "use a shorter --state-dir or NMSWEEP_STATE_DIR")
        }
    }

    func initialise(user: ClusterUser, binaries: ServerBinaries) throws {
        let fm = FileManager.default
        // A half-made cluster from an interrupted initdb: initdb needs an empty directory.
        if fm.fileExists(atPath: dataDirectory) { try fm.removeItem(atPath: dataDirectory) }
        var bytes = [UInt8](repeating: 0, count: 24)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let password = bytes.map { String(format: "%02x", $0) }.joined()
        _ = fm.createFile(atPath: passwordFile, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
        try user.takeOwnership(of: passwordFile)
        var arguments = ["-D", dataDirectory, "-U", Self.roleName, "--pwfile=\(passwordFile)", "-A", "scram-sha-256",
                         "-E", "UTF8", "--no-locale", "--no-instructions"]
        if !durable { arguments.append("--no-sync") }
        try command(binaries.initdb, arguments, user: user).check("initdb of \(dataDirectory)")
        let include = "\n# Settings of the nmsweep embedded server (written by nmsweep).\ninclude_if_exists = 'nmsweep.conf'\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(include.utf8))
        try handle.close()
        try writeSettings(port: FreePort.find(), user: user)
    }

    func writeSettings(port: Int, user: ClusterUser) throws {
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        var lines = [
            "listen_addresses = '127.0.0.1'",
            "port = \(port)",
            "unix_socket_directories = \(quoted(socketDirectory))",
            "unix_socket_permissions = 0700",
        ]
        if !durable { lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"] }
        try (lines.joined(separator: "\n") + "\n").write(toFile: configFile, atomically: false, encoding: .utf8)
        try user.takeOwnership(of: configFile)
    }

    /// The configured port, or a new free one written to `nmsweep.conf` if something else holds it.
    func choosePortIfTaken(user: ClusterUser) throws {
        let text = (try? String(contentsOfFile: configFile, encoding: .utf8)) ?? ""
        let port = text.split(separator: "\n").first { $0.hasPrefix("port = ") }.flatMap { Int($0.dropFirst(7)) }
        if let port, FreePort.isFree(port) { return }
        try writeSettings(port: FreePort.find(), user: user)
    }

    /// The endpoint of the running server, from `pg_ctl status` and `postmaster.pid`.
    func runningEndpoint(user: ClusterUser, binaries: ServerBinaries) throws -> Endpoint? {
        let status = try command(binaries.pgCtl, ["-D", dataDirectory, "status"], user: user).run()
        guard status.status == 0 else { return nil }
        // postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shm key, status.
        guard let pidFile = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = pidFile.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 5, let port = Int(lines[3].trimmingCharacters(in: .whitespaces)) else { return nil }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return Endpoint(port: port, socketDirectory: String(lines[4]), password: password)
    }

    func withStateLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let path = stateDirectory + "/embedded.lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SweepStoreError(.embeddedServer, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else {
            throw SweepStoreError(.embeddedServer, "cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        return try body()
    }
}

extension SystemCommand {
    func checkOrExplain(_ what: String, logFile: String) throws {
        let outcome = try run()
        guard outcome.status != 0 else { return }
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
        throw SweepStoreError(
            .embeddedServer,
            "\(what) failed (exit \(outcome.status)): \(outcome.output)\(log.isEmpty ? "" : "\nlast lines of \(logFile):\n\(log)")")
    }
}

extension EmbeddedPostgres.Endpoint: CustomStringConvertible {
    /// The endpoint without its password: safe to log.
    public var description: String { "127.0.0.1:\(port), socket in \(socketDirectory)" }
}
