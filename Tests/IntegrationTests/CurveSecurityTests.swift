import Foundation
import NoisyCore
import Postgres
import SweepKit
import SweepStore
import Testing
import TestSupport
import ZeroMQ

/// CURVE between the real coordinator and workers: keys from `nmsweep keygen`, an allow-list that
/// admits only listed workers, encrypted traffic, and no secret in any output. A private PostgreSQL,
/// no-op cells, heartbeat 200 ms.
@Suite("CURVE: only listed workers, encrypted traffic, no secret in any output", .serialized)
struct CurveSecurityTests {
    /// A key pair written by `nmsweep keygen`.
    struct Keys {
        var secretFile: String
        var publicFile: String
        var publicKey: String
        var secretKey: String
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// A fresh folder for key files.
    static func folder(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "nmsweep-curve-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `nmsweep keygen --output folder/name` and reads the pair back from its files.
    static func keygen(_ folder: String, _ name: String) throws -> Keys {
        let run = try ProcessRunner.run("nmsweep", ["keygen", "--output", folder + "/" + name], timeout: 30)
        #expect(run.status == 0, "\(run.standardError)")
        let secretFile = folder + "/" + name + ".secret", publicFile = folder + "/" + name + ".pub"
        let pair = try CurveKeyFile.readKeyPair(secretFile: secretFile)
        #expect(!run.standardOutput.contains(pair.secretKey) && !run.standardError.contains(pair.secretKey))
        return Keys(secretFile: secretFile, publicFile: publicFile, publicKey: pair.publicKey, secretKey: pair.secretKey)
    }

    /// A background coordinator of `cells` no-op cells with no local workers unless `extra` says so.
    static func coordinator(_ database: String, name: String, cells: Int, sleepMs: Int = 0, curve: (Keys, String)?,
                            bind: String = "tcp://127.0.0.1:*", extra: [String] = [], environment: [String: String] = [:]) throws -> RunningProcess {
        var arguments = ["--noop-cells", String(cells), "--noop-sleep-ms", String(sleepMs), "--name", name, "--bind", bind,
                         "--local-workers", "0", "--progress", "quiet", "--heartbeat-ms", "200"]
        if !database.isEmpty { arguments += ["--database", database] }
        if let (keys, allow) = curve { arguments += ["--curve-key", keys.secretFile, "--allow-keys", allow] }
        return try RunningProcess("nmsweep-coordinator", arguments + extra, environment: environment)
    }

    /// The TCP port the coordinator logged ("listening on tcp://127.0.0.1:PORT").
    static func port(of coordinator: RunningProcess) throws -> UInt16 {
        #expect(coordinator.waitForOutput(containing: "listening on tcp://", timeout: 20), "\(coordinator.standardError)")
        let text = coordinator.standardError
        let line = try #require(text.split(separator: "\n").first { $0.contains("listening on tcp://") })
        let after = line[try #require(line.firstRange(of: "listening on tcp://")).upperBound...]
        let digits = after.drop { $0 != ":" }.dropFirst().prefix { $0.isNumber }
        return try #require(UInt16(digits))
    }

    static func worker(port: UInt16, keys: Keys?, serverKey: String?, slots: Int = 4) throws -> RunningProcess {
        var arguments = ["--connect", "tcp://127.0.0.1:\(port)", "--slots", String(slots),
                         "--cache-dir", NSTemporaryDirectory() + "nmsweep-curve-cache-\(getpid())"]
        if let keys { arguments += ["--curve-key", keys.secretFile] }
        // `=`: a Z85 key may start with `-` and would be taken for an option.
        if let serverKey { arguments += ["--server-key=\(serverKey)"] }
        return try RunningProcess("nmsweep-worker", arguments)
    }

    static func scalar(_ url: String, _ sql: String) throws -> Int {
        try PostgresConnection(url: url).query(sql, [])[0].decode(0)
    }

    // MARK: keygen

    @Test("keygen writes PATH.secret 0600 and PATH.pub 0644, refuses to overwrite, --force replaces")
    func keygenFiles() throws {
        let dir = try Self.folder("keygen")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Under umask 000 (set in a shell around keygen: umask is process-wide, and other suites run
        // in this process) the secret file is still 0600; under umask 077 the public one still 0644.
        let nmsweep = try ProcessRunner.executable("nmsweep")
        for (mask, name) in [("000", "node"), ("077", "strict")] {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "umask \(mask) && exec \"$0\" keygen --output \"$1\" >/dev/null", nmsweep, dir + "/" + name]
            try shell.run()
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 0)
        }
        let strict = dir + "/strict"
        #expect(try Self.mode(strict + ".secret") == 0o600 && Self.mode(strict + ".pub") == 0o644)
        let pair = try CurveKeyFile.readKeyPair(secretFile: dir + "/node.secret")
        let keys = Keys(secretFile: dir + "/node.secret", publicFile: dir + "/node.pub", publicKey: pair.publicKey, secretKey: pair.secretKey)
        #expect(try Self.mode(keys.secretFile) == 0o600)
        #expect(try Self.mode(keys.publicFile) == 0o644)
        #expect(try String(contentsOfFile: keys.publicFile, encoding: .utf8) == keys.publicKey + "\n")
        let secretText = try String(contentsOfFile: keys.secretFile, encoding: .utf8)
        #expect(secretText.contains("public-key: \(keys.publicKey)") && secretText.contains("secret-key: \(keys.secretKey)"))

        let again = try ProcessRunner.run("nmsweep", ["keygen", "--output", dir + "/node"], timeout: 30)
        #expect(again.status != 0)
        #expect(again.standardError.contains("node.secret") && again.standardError.contains("--force"), "\(again.standardError)")
        #expect(try String(contentsOfFile: keys.secretFile, encoding: .utf8) == secretText, "the old key is untouched")

        let forced = try ProcessRunner.run("nmsweep", ["keygen", "--output", dir + "/node.secret", "--force"], timeout: 30)
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try String(contentsOfFile: keys.secretFile, encoding: .utf8) != secretText)
        #expect(try Self.mode(keys.secretFile) == 0o600)
    }

    @Test("bad CURVE options: one half only, or a secret file others can read → exit 2 naming the fix, before any work")
    func badOptions() throws {
        let dir = try Self.folder("options")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = try Self.keygen(dir, "coordinator")
        let base = ["--noop-cells", "1", "--database", "postgresql://nobody@invalid.invalid/x", "--local-workers", "0"]
        let onlyKey = try ProcessRunner.run("nmsweep-coordinator", base + ["--curve-key", keys.secretFile], timeout: 30)
        #expect(onlyKey.status == 2 && onlyKey.standardError.contains("--allow-keys"), "\(onlyKey.standardError)")
        let onlyList = try ProcessRunner.run("nmsweep-coordinator", base + ["--allow-keys", keys.publicFile], timeout: 30)
        #expect(onlyList.status == 2 && onlyList.standardError.contains("--curve-key"), "\(onlyList.standardError)")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keys.secretFile)
        let open = try ProcessRunner.run("nmsweep-coordinator", base + ["--curve-key", keys.secretFile, "--allow-keys", keys.publicFile], timeout: 30)
        #expect(open.status == 2 && open.standardError.contains("chmod 600 \(keys.secretFile)"), "\(open.standardError)")
        let worker = try ProcessRunner.run("nmsweep-worker", ["--curve-key", keys.secretFile, "--server-key", keys.publicFile], timeout: 30)
        #expect(worker.status == 2 && worker.standardError.contains("chmod 600 \(keys.secretFile)"), "\(worker.standardError)")
        let halfWorker = try ProcessRunner.run("nmsweep-worker", ["--server-key", keys.publicFile], timeout: 30)
        #expect(halfWorker.status == 2 && halfWorker.standardError.contains("--curve-key"), "\(halfWorker.standardError)")
        for run in [onlyKey, onlyList, open, worker, halfWorker] {
            #expect(!(run.standardError + run.standardOutput).contains(keys.secretKey))
        }
    }

    // MARK: admission

    @Test("a listed external worker completes a CURVE sweep; NMSWEEP_* environment works as the flags do")
    func listedWorkerCompletes() throws {
        let dir = try Self.folder("listed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), worker = try Self.keygen(dir, "worker")
        let url = try PostgresTestServer.freshDatabaseURL("curveok")
        // The allow-list as a directory of *.pub files.
        let allowed = dir + "/allowed"
        try FileManager.default.createDirectory(atPath: allowed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: worker.publicFile, toPath: allowed + "/worker.pub")
        let coordinator = try Self.coordinator(url, name: "curve-ok", cells: 40, curve: nil,
                                               environment: ["NMSWEEP_CURVE_KEY": server.secretFile, "NMSWEEP_ALLOW_KEYS": allowed])
        let port = try Self.port(of: coordinator)
        let started = Date()
        let workerProcess = try RunningProcess("nmsweep-worker", [
            "--connect", "tcp://127.0.0.1:\(port)", "--slots", "4", "--cache-dir", dir + "/cache",
        ], environment: ["NMSWEEP_CURVE_KEY": worker.secretFile, "NMSWEEP_SERVER_KEY": server.publicKey])
        let outcome = coordinator.finish(timeout: 30)
        let seconds = Date().timeIntervalSince(started)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("40/40 done, 0 failed, 40 assigned, 40 results committed"), "\(outcome.standardOutput)")
        #expect(!outcome.standardOutput.contains("connections refused"))
        #expect(outcome.standardError.contains("CURVE server \(server.publicKey) admitting 1 worker keys"))
        #expect(!outcome.standardError.contains("without CURVE"))
        #expect(try Self.scalar(url, "SELECT count(*) FROM results") == 40)
        // Its exit is the runtime's business (the coordinator's final SHUTDOWN can be lost under load,
        // then the worker waits for a coordinator); here only what it said about CURVE matters.
        let workerOutcome = workerProcess.finish(timeout: 5)
        #expect(workerOutcome.standardError.contains("CURVE client \(worker.publicKey) of server \(server.publicKey)"))
        print("CURVE sweep, 40 no-op cells, 1 external worker: \(String(format: "%.2f", seconds)) s from worker start")
    }

    @Test("unknown key, no key, forged frames: no work, nothing written, refusals counted and logged; then a listed worker finishes")
    func unknownKeyGetsNothing() throws {
        let dir = try Self.folder("unknown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), listed = try Self.keygen(dir, "listed"), stranger = try Self.keygen(dir, "stranger")
        let url = try PostgresTestServer.freshDatabaseURL("curvedeny")
        let coordinator = try Self.coordinator(url, name: "curve-deny", cells: 20, curve: (server, listed.publicFile))
        let port = try Self.port(of: coordinator)

        // A real worker with a key not on the list, and one without CURVE.
        let intruder = try Self.worker(port: port, keys: stranger, serverKey: server.publicFile)
        let plain = try Self.worker(port: port, keys: nil, serverKey: nil)

        // A raw DEALER with the stranger's key sends a well-formed ready and result for a real cell.
        let cellKey: String = try PostgresConnection(url: url).query("SELECT key FROM cells ORDER BY key LIMIT 1", [])[0].decode(0)
        let context = try Context()
        defer { context.shutdown() }
        let strangerPair = try CurveKeyFile.readKeyPair(secretFile: stranger.secretFile)
        let listedPair = try CurveKeyFile.readKeyPair(secretFile: listed.secretFile)
        func forged(_ pair: CurveKeyPair, id: String) throws -> (Socket, [UInt8]?) {
            let dealer = try Socket(context, type: .dealer)
            try dealer.set(.routingID, Array(id.utf8))
            try dealer.set(.linger, 0)
            try dealer.makeCurveClient(pair, serverPublicKey: server.publicKey)
            try dealer.connect("tcp://127.0.0.1:\(port)")
            let worker = WorkerID(bytes: Array(id.utf8))
            let report = Wire.ResultReport(cell: try #require(CellKey(hex: cellKey)), lease: 12345, attempt: 1, result: CellResult(accuracy: 0.4242))
            let frames = [try WireMessage.ready(Wire.Ready(worker: worker, incarnation: 1, pid: 1, slots: 1, softwareVersion: "x", host: "h")).encoded(),
                          try WireMessage.result([report]).encoded()]
            for frame in frames { _ = try frame.withUnsafeBytes { try dealer.send(bytes: $0, dontWait: true) } }
            let poller = Poller()
            try poller.register(dealer)
            _ = try poller.poll(timeout: 2_000)
            return (dealer, try dealer.receiveMultipart(dontWait: true).flatMap(\.first))
        }
        let (rogue, rogueReply) = try forged(strangerPair, id: "rogue")
        #expect(rogueReply == nil, "a DEALER with an unknown key got an answer")

        Thread.sleep(forTimeInterval: 1.5)
        #expect(try Self.scalar(url, "SELECT count(*) FROM results") == 0)
        #expect(try Self.scalar(url, "SELECT count(*) FROM cells WHERE state <> 'queued'") == 0)
        #expect(try Self.scalar(url, "SELECT count(*) FROM workers") == 0, "no worker registered")
        #expect(coordinator.isRunning, "the sweep does not progress while only refused peers are connected")
        #expect(try eventually(timeout: 5) { coordinator.standardError.contains("refused") }, "\(coordinator.standardError)")
        #expect(coordinator.standardError.contains("key \(stranger.publicKey)"))
        rogue.close()

        // Positive control: the same frames with a listed key are answered and read: only the key
        // kept the rogue's out. Its result, under a lease no coordinator issued (none is persisted
        // in sweep_leases), reaches the provenance check and is dropped there as a bad frame.
        let (control, controlReply) = try forged(listedPair, id: "control")
        #expect(controlReply != nil, "the forged frames are well-formed: with a listed key the coordinator answers them")
        #expect(eventually(timeout: 5) { coordinator.standardError.contains("lease 12345 was never issued for this cell to control") },
                "\(coordinator.standardError.suffix(2000))")
        control.close()

        let good = try Self.worker(port: port, keys: listed, serverKey: server.publicFile)
        let outcome = coordinator.finish(timeout: 30)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("20/20 done, 0 failed"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("connections refused"), "\(outcome.standardOutput)")
        #expect(try Self.scalar(url, "SELECT count(*) FROM results") == 20)
        #expect(try Self.scalar(url, "SELECT count(*) FROM results WHERE accuracy = 0.4242") == 0, "no forged result, listed key or not")
        #expect(try Self.scalar(url, "SELECT count(*) FROM events WHERE kind = 'connection_refused' AND detail::text LIKE '%\(stranger.publicKey)%'") >= 1)
        // The refusals were logged at a bounded rate: the intruder knocked for seconds, reconnecting with back-off.
        let lines = outcome.standardError.split(separator: "\n").filter { $0.contains("refused") && $0.contains("connection") }
        #expect(lines.count <= 4, "\(lines.count) refusal lines")
        let intruderOutcome = intruder.killAndWait()
        #expect(!intruderOutcome.standardError.contains("welcomed"), "the refused worker was never welcomed")
        #expect(intruderOutcome.standardError.contains("allow-list"), "the refused worker says what to check: \(intruderOutcome.standardError.suffix(800))")
        _ = plain.killAndWait()
        _ = good.finish(timeout: 3)
    }

    @Test("ZMQ_MAXMSGSIZE holds on the CURVE ROUTER: a listed peer's oversized frame never reaches the coordinator")
    func frameCapUnderCurve() throws {
        let dir = try Self.folder("cap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), listed = try Self.keygen(dir, "listed")
        let url = try PostgresTestServer.freshDatabaseURL("curvecap")
        let coordinator = try Self.coordinator(url, name: "curve-cap", cells: 10, curve: (server, listed.publicFile))
        let port = try Self.port(of: coordinator)
        let context = try Context()
        defer { context.shutdown() }
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.linger, 0)
        try dealer.makeCurveClient(try CurveKeyFile.readKeyPair(secretFile: listed.secretFile), serverPublicKey: server.publicKey)
        try dealer.connect("tcp://127.0.0.1:\(port)")
        // One small undecodable frame (counted as bad), then one a byte over the cap (dropped by libzmq
        // with its connection, so never counted), then the sweep runs to its end with a real worker.
        let small = [UInt8](repeating: 0xAB, count: 64)
        _ = try small.withUnsafeBytes { try dealer.send(bytes: $0, dontWait: false) }
        Thread.sleep(forTimeInterval: 0.5)
        let huge = [UInt8](repeating: 0xCD, count: WireFormat.maxFrameBytes + 1)
        _ = try huge.withUnsafeBytes { try dealer.send(bytes: $0, dontWait: false) }
        Thread.sleep(forTimeInterval: 1)
        #expect(coordinator.isRunning)
        let worker = try Self.worker(port: port, keys: listed, serverKey: server.publicFile)
        let outcome = coordinator.finish(timeout: 30)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("10/10 done"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains(", 1 bad frames dropped"), "only the small frame reached the coordinator: \(outcome.standardOutput)")
        dealer.close()
        _ = worker.finish(timeout: 3)
    }

    // MARK: traffic

    /// Runs a 10-cell sweep whose worker connects through a relay; returns the bytes it saw.
    func relayedSweep(curve: Bool) throws -> [UInt8] {
        let dir = try Self.folder("relay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), worker = try Self.keygen(dir, "worker")
        let url = try PostgresTestServer.freshDatabaseURL("curverelay")
        let coordinator = try Self.coordinator(url, name: "relay-\(curve)", cells: 10, curve: curve ? (server, worker.publicFile) : nil)
        let relay = try TCPRelay(targetPort: try Self.port(of: coordinator))
        defer { relay.stop() }
        let started = Date()
        let workerProcess = try Self.worker(port: relay.port, keys: curve ? worker : nil, serverKey: curve ? server.publicKey : nil)
        let outcome = coordinator.finish(timeout: 30)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        let sweepSeconds = Date().timeIntervalSince(started)
        // The worker's own exit is not the point here (the coordinator's last ACK and SHUTDOWN can be
        // lost when it exits while the relay still forwards; the worker then waits for a coordinator).
        let workerOutcome = workerProcess.finish(timeout: 2)
        print("relayed sweep (CURVE \(curve)): coordinator done \(String(format: "%.2f", sweepSeconds)) s after the worker started, "
              + "worker exit \(workerOutcome.status), \(relay.bytes.count) bytes relayed")
        #expect(outcome.standardOutput.contains("10/10 done"), "\(outcome.standardOutput) worker: \(workerOutcome.standardError.suffix(2000))")
        return relay.bytes
    }

    @Test("through a relay: cell specs cross in clear text without CURVE, and not with it")
    func trafficIsEncrypted() throws {
        // The no-op spec's JSON key, part of every assignment's spec text.
        let marker = Array("sleepMilliseconds".utf8)
        let plain = try relayedSweep(curve: false)
        #expect(plain.contains(run: marker), "positive control: without CURVE the spec is readable on the wire")
        let encrypted = try relayedSweep(curve: true)
        #expect(encrypted.count > 2_000, "the sweep's traffic went through the relay (\(encrypted.count) bytes)")
        #expect(!encrypted.contains(run: marker))
        #expect(!encrypted.contains(run: Array("nmsweep-worker".utf8)), "not even the worker's software version")
    }

    // MARK: secrets

    @Test("no database password or secret key in any output, event, error message or local worker's argv")
    func secretsNeverAppear() throws {
        let dir = try Self.folder("secrets")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), external = try Self.keygen(dir, "external")
        let url = try PostgresTestServer.freshDatabaseURL("curvesecret")
        let password = try #require(url.split(separator: "@").first?.split(separator: ":").last.map(String.init))
        #expect(password.count >= 16 && url.contains(":\(password)@"))

        // The password reaches the coordinator through DATABASE_URL (not argv); 2 local workers with CURVE.
        let coordinator = try Self.coordinator("", name: "secrets", cells: 60, sleepMs: 20, curve: (server, external.publicFile),
                                               extra: ["--local-workers", "2", "--worker-slots", "2"],
                                               environment: ["DATABASE_URL": url])
        let port = try Self.port(of: coordinator)
        let worker = try Self.worker(port: port, keys: external, serverKey: server.publicFile, slots: 2)

        // The local workers got their secret through the environment (never argv) and, once running
        // (joined), have wiped it: /proc/PID/environ shows the variable blanked (docs/security.md).
        // They got no database credentials.
        let localSecrets: [String] = []
        #expect(try eventually(timeout: 10) { Self.children(of: coordinator.pid).count == 2 })
        #expect(eventually(timeout: 20) { coordinator.standardError.components(separatedBy: " joined: ").count - 1 >= 3 },
                "both local workers and the external one joined: \(coordinator.standardError.suffix(2000))")
        for child in Self.children(of: coordinator.pid) {
            let environment = Self.environment(of: child)
            let secret = try #require(environment["NMSWEEP_CURVE_SECRET"], "the local worker got its key through the environment")
            #expect(!secret.isEmpty && secret.allSatisfy { $0 == " " }, "the handed-over secret is wiped from /proc/\(child)/environ")
            #expect(environment["DATABASE_URL"] == nil && environment["PGPASSWORD"] == nil)
            #expect(!environment.values.contains { $0.contains(password) })
            #expect(environment["NMSWEEP_SERVER_KEY"] == server.publicKey)
            let argv = (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? ""
            #expect(!argv.isEmpty && !argv.contains(secret))
        }
        let outcome = coordinator.finish(timeout: 30)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("60/60 done"), "\(outcome.standardOutput)")
        let workerOutcome = worker.finish(timeout: 3)

        // Error paths that print a URL or a libpq error: a wrong password, an unreachable server, a malformed URL.
        let host = url.split(separator: "?").last.map { "?" + $0 } ?? ""
        let wrongPassword = url.replacingOccurrences(of: ":\(password)@", with: ":WrongPw\(password)@")
        // At once: the connection retries take seconds each.
        let failures = try [
            RunningProcess("nmsweep-coordinator", ["--noop-cells", "1", "--database", wrongPassword, "--local-workers", "0"]),
            RunningProcess("nmsweep-coordinator", ["--noop-cells", "1", "--database", "postgresql://nmsweep:\(password)@127.0.0.1:1/x",
                                                   "--local-workers", "0"]),
            RunningProcess("nmsweep", ["sweeps", "--database", "postgresql://nmsweep:\(password)@[bad/x\(host)"]),
            RunningProcess("nmsweep", ["status", "--database", "host=/nonexistent password=\(password) port=notaport"]),
        ].map { $0.finish(timeout: 30) }
        for failure in failures { #expect(failure.status != 0, "\(failure.standardError)") }
        #expect(failures[0].standardError.contains("password authentication failed") || failures[0].standardError.contains("authentication"),
                "\(failures[0].standardError)")

        let events: [String] = try PostgresConnection(url: url).query("SELECT coalesce(detail::text, '') || ' ' || message FROM events", [])
            .map { try $0.decode(0) }
        #expect(!events.isEmpty)
        let everything = [outcome.standardOutput, outcome.standardError, workerOutcome.standardOutput, workerOutcome.standardError]
            + failures.flatMap { [$0.standardOutput, $0.standardError] } + events
        let secrets = [("database password", password), ("coordinator secret key", server.secretKey),
                       ("external worker secret key", external.secretKey)]
            + localSecrets.map { ("local worker secret key", $0) }
        for (what, secret) in secrets {
            for (index, text) in everything.enumerated() {
                #expect(!text.contains(secret), "the \(what) appears in output #\(index): \(text.prefix(500))")
            }
        }
    }

    @Test("without CURVE: loopback binds quietly; tcp://*:P and tcp://0.0.0.0:P warn; with CURVE no warning")
    func nonLoopbackWarning() throws {
        let dir = try Self.folder("warn")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.keygen(dir, "coordinator"), worker = try Self.keygen(dir, "worker")
        let url = try PostgresTestServer.freshDatabaseURL("curvewarn")
        let cases: [(bind: String, curve: Bool, warns: Bool)] = [
            ("tcp://127.0.0.1:*", false, false), ("ipc://\(dir)/coordinator.ipc", false, false), ("tcp://*:*", false, true),
            ("tcp://0.0.0.0:*", false, true), ("tcp://0.0.0.0:*", true, false),
        ]
        for (index, item) in cases.enumerated() {
            let run = try ProcessRunner.run("nmsweep-coordinator", [
                "--noop-cells", "4", "--noop-sleep-ms", String(index), "--name", "warn-\(index)", "--database", url,
                "--bind", item.bind, "--local-workers", "1",
                "--worker-slots", "2", "--progress", "quiet", "--heartbeat-ms", "200",
            ] + (item.curve ? ["--curve-key", server.secretFile, "--allow-keys", worker.publicFile] : []), timeout: 30)
            #expect(run.status == 0, "\(item.bind): \(run.standardError.suffix(2000))")
            #expect(run.standardOutput.contains("4/4 done, 0 failed, 4 assigned"), "\(item.bind): \(run.standardOutput)")
            #expect(run.standardError.contains("without CURVE") == item.warns, "\(item.bind) curve \(item.curve): \(run.standardError)")
        }
    }

    /// Process ids whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }
    }

    /// The environment a process started with (/proc/PID/environ).
    static func environment(of pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var out: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            out[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return out
    }
}
