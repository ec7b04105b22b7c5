import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 21, "remote databases safely": a private server with a certificate signed by a CA of
/// the test's own (made with `openssl`), reached by host name with `sslmode=verify-full`.
@Suite("TLS to PostgreSQL (verify-full, a private CA)", .serialized)
struct TLSTests {
    /// Runs openssl with `arguments` in `directory`; throws with its output when it fails.
    static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailure(description: "openssl \(arguments.joined(separator: " ")): \(String(decoding: output, as: UTF8.self))")
        }
    }

    /// A CA (`NAME-ca.pem`, `NAME-ca.key`) in `directory`.
    static func makeCA(_ name: String, in directory: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=nmsweep test CA \(name)",
                     "-keyout", "\(name)-ca.key", "-out", "\(name)-ca.pem"], in: directory)
    }

    @Test("verify-full with the server's CA connects over TLS; a wrong CA and a wrong host name are refused")
    func verifyFull() throws {
        let server = try PrivatePostgres(label: "tls")
        defer { server.remove() }
        let directory = server.server.stateDirectory + "/tls"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.makeCA("good", in: directory)
        try Self.makeCA("wrong", in: directory)
        // The server's certificate: for localhost, signed by the good CA.
        try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"], in: directory)
        try "subjectAltName = DNS:localhost\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "good-ca.pem", "-CAkey", "good-ca.key", "-CAcreateserial",
                          "-days", "2", "-extfile", "san.ext", "-out", "server.crt"], in: directory)
        // The server's user must own its key (mode 0600): the owner of the data folder.
        let owner = try FileManager.default.attributesOfItem(atPath: server.server.dataDirectory)
        let uid = (owner[.ownerAccountID] as? NSNumber)?.uint32Value ?? getuid()
        let gid = (owner[.groupOwnerAccountID] as? NSNumber)?.uint32Value ?? getgid()
        for file in ["", "/server.key", "/server.crt"] { chown(directory + file, uid, gid) }
        chmod(directory + "/server.key", 0o600)

        let admin = try PostgresConnection(url: server.url)
        try admin.execute("ALTER SYSTEM SET ssl_cert_file = '\(directory)/server.crt'")
        try admin.execute("ALTER SYSTEM SET ssl_key_file = '\(directory)/server.key'")
        try admin.execute("ALTER SYSTEM SET ssl = on")
        _ = try admin.query("SELECT pg_reload_conf()", [])
        #expect(eventually(timeout: 10) { (try? admin.query("SHOW ssl", [])[0].decode(0, as: String.self)) == "on" })

        // By name (verify-full checks it against the certificate); hostaddr skips the resolver.
        let tcp = server.endpoint.url().replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        let good = tcp + "?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=\(directory)/good-ca.pem"
        let connection = try PostgresConnection(url: good, reconnectPolicy: .none)
        let ssl = try connection.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])
        #expect(try ssl[0].decode(0, as: Bool.self), "the session is encrypted")
        let version = try ssl[0].decode(1, as: String.self)
        #expect(version.hasPrefix("TLSv1."), "\(version)")

        let wrongCA = tcp + "?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=\(directory)/wrong-ca.pem"
        let refusal = try #require(throws: PostgresError.self) { try PostgresConnection(url: wrongCA, reconnectPolicy: .none) }
        #expect("\(refusal)".contains("certificate verify failed"), "\(refusal)")
        // The right CA, but a name the certificate does not carry.
        let wrongName = server.endpoint.url() + "?sslmode=verify-full&sslrootcert=\(directory)/good-ca.pem"
        let mismatch = try #require(throws: PostgresError.self) { try PostgresConnection(url: wrongName, reconnectPolicy: .none) }
        #expect("\(mismatch)".contains("does not match host name"), "\(mismatch)")
        // Without verification the same server still answers over TLS (sslmode=require): only verify-full proves who it is.
        let require = try PostgresConnection(url: tcp + "?hostaddr=127.0.0.1&sslmode=require", reconnectPolicy: .none)
        #expect(try require.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])[0].decode(0, as: Bool.self))
        print("TLS: verify-full connected with \(version); wrong CA and wrong host name refused")
    }
}

struct OpenSSLFailure: Error, CustomStringConvertible {
    let description: String
}
