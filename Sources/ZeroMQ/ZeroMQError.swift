internal import CZeroMQ
import Foundation

/// A failed libzmq call: the `errno` it left, libzmq's text for it, and the operation that failed.
///
/// Every libzmq failure of this module is made by ``ZeroMQError/last(_:file:line:)``, which reads
/// `zmq_errno()` exactly once, so the code cannot be clobbered by a later call.
public struct ZeroMQError: Error, Sendable, CustomStringConvertible {
    /// The `errno` value (`EAGAIN`, `EHOSTUNREACH`, `ETERM`, …; see ``Code``).
    public let code: Int32
    /// `zmq_strerror(code)`, or a sentence of this module for errors it raises itself.
    public let message: String
    /// What was being done, e.g. `"bind tcp://127.0.0.1:5555"` or `"setsockopt ZMQ_SNDHWM"`.
    public let operation: String
    public let file: String
    public let line: Int

    public init(code: Int32, message: String, operation: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.operation = operation
        self.file = file
        self.line = line
    }

    /// The error of the libzmq call that just failed on this thread.
    static func last(_ operation: String, file: String = #fileID, line: Int = #line) -> ZeroMQError {
        let code = zmq_errno()
        return ZeroMQError(code: code, message: Self.text(of: code), operation: operation, file: file, line: line)
    }

    /// libzmq's text for an errno value.
    static func text(of code: Int32) -> String {
        guard let text = zmq_strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    public var description: String { "ZeroMQ: \(operation) failed: \(message) (errno \(code))" }

    /// Well-known codes, for `error.code == ZeroMQError.Code.hostUnreachable` checks.
    public enum Code {
        /// No message now and the call was not to block (or a timeout passed).
        public static let again: Int32 = EAGAIN
        /// ROUTER_MANDATORY: no peer with this routing id is connected.
        public static let hostUnreachable: Int32 = EHOSTUNREACH
        /// The context was shut down or terminated; the socket must be closed.
        public static let terminated: Int32 = ETERM
        /// A bad argument: endpoint, option value, or an option the socket type lacks.
        public static let invalidArgument: Int32 = EINVAL
        /// The message is too long (this module raises it for over-long multipart messages).
        public static let messageTooLong: Int32 = EMSGSIZE
        public static let interrupted: Int32 = EINTR
    }

    /// The context is gone: a thread blocked in a socket call should close its socket and end.
    public var isTerminated: Bool { code == ETERM }
    /// A ROUTER with ROUTER_MANDATORY was asked to send to a routing id that is not connected.
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }
}
