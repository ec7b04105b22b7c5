import Foundation
import SweepHTTP
import Testing

@Suite("--http and --http-token-file")
struct HTTPOptionsTests {
    @Test("HOST:PORT, [IPv6]:PORT; bad ports and missing colons are named")
    func addresses() throws {
        #expect(try HTTPAddress(parsing: "127.0.0.1:8080") == HTTPAddress(host: "127.0.0.1", port: 8080))
        #expect(try HTTPAddress(parsing: "[::1]:9100") == HTTPAddress(host: "::1", port: 9100))
        #expect(try HTTPAddress(parsing: "0.0.0.0:0").port == 0)
        #expect(try HTTPAddress(parsing: "[::1]:9100").url == "http://[::1]:9100")
        for bad in ["8080", "host:", "host:70000", "host:-1", "host:http", "[::1]9100"] {
            #expect(throws: SweepHTTPError.self, "\(bad)") { try HTTPAddress(parsing: bad) }
        }
        do {
            _ = try HTTPAddress(parsing: "127.0.0.1:99999")
        } catch {
            #expect(error.description.contains("0…65535"), "\(error)")
        }
        #expect(HTTPAddress(host: "127.0.0.2", port: 1).isLoopback)
        #expect(HTTPAddress(host: "localhost", port: 1).isLoopback)
        #expect(HTTPAddress(host: "::1", port: 1).isLoopback)
        #expect(!HTTPAddress(host: "0.0.0.0", port: 1).isLoopback)
        #expect(!HTTPAddress(host: "10.1.2.3", port: 1).isLoopback)
    }

    @Test("beyond loopback a token file is required; a token needs --http")
    func pairing() throws {
        #expect(try HTTPOptions(address: nil, tokenFile: nil).address == nil)
        #expect(try HTTPOptions(address: "127.0.0.1:1", tokenFile: nil).token == nil)
        do {
            _ = try HTTPOptions(address: "0.0.0.0:8080", tokenFile: nil)
            Issue.record("a wildcard address without a token was accepted")
        } catch {
            #expect(error.description.contains("--http-token-file"))
        }
        let file = try Self.tokenFile("0123456789abcdef-token")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try HTTPOptions(address: "0.0.0.0:8080", tokenFile: file).token != nil)
        #expect(throws: SweepHTTPError.self) { try HTTPOptions(address: nil, tokenFile: file) }
    }

    @Test("token files: trimmed, at least 16 characters, one word; a missing file is named")
    func tokenFiles() throws {
        let good = try Self.tokenFile("  0123456789abcdef-token \n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let token = try BearerToken(file: good)
        #expect(token.admits(authorization: "Bearer 0123456789abcdef-token"))
        #expect(token.admits(authorization: "bearer 0123456789abcdef-token"))
        for short in ["short", "two words here!!!!"] {
            let file = try Self.tokenFile(short)
            defer { try? FileManager.default.removeItem(atPath: file) }
            #expect(throws: SweepHTTPError.self, "\(short)") { try BearerToken(file: file) }
        }
        do {
            _ = try BearerToken(file: "/nonexistent/token")
            Issue.record("a missing token file was accepted")
        } catch {
            #expect(error.description.contains("/nonexistent/token"))
        }
    }

    @Test("the token is compared whole: prefixes, extensions, other schemes and empty headers are refused")
    func comparison() {
        let token = BearerToken(secret: "correct-horse-battery-staple")
        #expect(token.admits(authorization: "Bearer correct-horse-battery-staple"))
        for header in [nil, "", "Bearer", "Bearer ", "Bearer correct-horse-battery-stapl", "Bearer correct-horse-battery-staple!",
                       "Basic correct-horse-battery-staple", "Bearer Correct-horse-battery-staple", "correct-horse-battery-staple"] {
            #expect(!token.admits(authorization: header), "\(header ?? "nil")")
        }
    }

    static func tokenFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-token-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
