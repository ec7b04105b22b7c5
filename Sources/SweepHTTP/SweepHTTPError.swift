/// What can go wrong on the HTTP side (the coordinator's page and API, a process's `/metrics`):
/// a bad `--http` / `--http-token-file`, or a server that could not start. The message names the
/// option, file or address at fault.
public struct SweepHTTPError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case badArgument, tokenFile, cannotListen }
    public var code: Code
    public var message: String

    public var description: String { message }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    static func badArgument(_ message: String) -> SweepHTTPError { SweepHTTPError(code: .badArgument, message: message) }
    static func tokenFile(_ message: String) -> SweepHTTPError { SweepHTTPError(code: .tokenFile, message: message) }
    static func cannotListen(_ message: String) -> SweepHTTPError { SweepHTTPError(code: .cannotListen, message: message) }
}
