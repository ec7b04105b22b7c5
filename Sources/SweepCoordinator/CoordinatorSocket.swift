import Foundation
import SweepRuntime
import Logging
import SweepKit
import ZeroMQ

/// The coordinator's ZeroMQ side: one ROUTER (CURVE and its allow-list when configured), and a
/// poller over it, the store thread's wake pipe and the stop-signal pipe. Frames in, messages
/// out; no protocol state (that is ``CoordinatorSession``'s).
///
/// Owned by the socket thread (ZeroMQ sockets are not thread-safe); the context's termination,
/// when this is released, waits for the linger set by ``close()``.
final class CoordinatorSocket {
    /// What one receive gave.
    enum Received {
        case message(WireMessage, from: WorkerID)
        /// A frame that is no message (undecodable, too many parts): why, for the bad-frame count.
        case bad(String)
    }

    /// What woke a poll.
    struct Wakeups: OptionSet {
        let rawValue: Int
        static let messages = Wakeups(rawValue: 1)
        static let store = Wakeups(rawValue: 2)
        static let signal = Wakeups(rawValue: 4)
    }

    let context: Context
    let router: Socket
    /// CURVE and the allow-list, when configured.
    let gate: CurveGate?
    let poller = Poller()
    /// Signalled by the store thread when completions wait.
    let wake = WakePipe()
    /// Written by the SIGINT/SIGTERM handler (``StopSignal``).
    let signals = WakePipe()
    let bind: String
    let logger: Logger
    /// Workers a send found unreachable (their connection is gone), for the session to settle.
    private(set) var unreachable: [WorkerID] = []
    /// Messages dropped because a peer's send queue was full.
    private(set) var droppedSends = PowerOfTwoCount()

    init(configuration: CoordinatorConfiguration, logger: Logger) throws {
        self.logger = logger
        bind = configuration.bind
        context = try Context(ioThreads: 1)
        router = try Socket(context, type: .router)
        try router.set(.routerMandatory, true)
        try router.set(.routerHandover, true)
        try router.set(.maxMessageSize, Int64(WireFormat.maxFrameBytes))
        try router.set(.sendHighWaterMark, 200_000)
        try router.set(.receiveHighWaterMark, 200_000)
        try router.set(.tcpKeepalive, 1)
        if let curve = configuration.curve { gate = try CurveGate(curve, context: context, router: router) } else { gate = nil }
        try router.bind(configuration.bind)
        try poller.register(router)
        poller.register(fileDescriptor: wake.readFD)
        poller.register(fileDescriptor: signals.readFD)
    }

    /// The endpoint bound (a wildcard port resolved).
    var boundEndpoint: String { (try? router.lastEndpoint) ?? bind }

    /// The endpoint workers should connect to (a wildcard address as 127.0.0.1).
    var connectEndpoint: String {
        boundEndpoint.replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
            .replacingOccurrences(of: "tcp://*:", with: "tcp://127.0.0.1:")
    }

    /// Waits up to `timeout` ms; says what is ready (the pipes are drained).
    func poll(timeout: Int) throws -> Wakeups {
        var ready: Wakeups = []
        for item in try poller.poll(timeout: timeout) {
            switch item.index {
            case 0: ready.insert(.messages)
            case 1: wake.drain(); ready.insert(.store)
            default: signals.drain(); ready.insert(.signal)
            }
        }
        return ready
    }

    /// The next message waiting on the ROUTER, or nil when none waits.
    func receive() throws -> Received? {
        let frames: [Frame]?
        do {
            frames = try router.receiveMultipart(dontWait: true, maxFrames: 2)
        } catch let error as ZeroMQError where error.code == ZeroMQError.Code.messageTooLong {
            return .bad("a message of more than 2 frames")
        }
        guard let frames else { return nil }
        guard frames.count == 2, !frames[0].isEmpty else { return .bad("a message of \(frames.count) frames") }
        do {
            return .message(try WireMessage(decoding: frames[1]), from: WorkerID(bytes: frames[0]))
        } catch {
            return .bad("\(error)")
        }
    }

    /// Sends without blocking. A full send queue drops the message (logged per power of two); a
    /// peer whose connection is gone goes on ``unreachable``.
    func send(_ message: WireMessage, to worker: WorkerID) {
        let frame: [UInt8]
        do {
            frame = try message.encoded()
        } catch {
            logger.error("cannot encode a message", metadata: ["kind": "\(message.kind)", "worker": "\(worker)", "error": "\(error)"])
            return
        }
        do {
            if try !router.send([worker.bytes, frame], dontWait: true), droppedSends.increment() {
                logger.warning("send queue to \(worker) is full: \(message.kind) dropped (\(droppedSends.value) dropped so far)")
            }
        } catch let error as ZeroMQError where error.isHostUnreachable {
            unreachable.append(worker)
        } catch {
            logger.error("sending \(message.kind) to \(worker) failed: \(error)")
        }
    }

    /// The workers found unreachable since the last call.
    func takeUnreachable() -> [WorkerID] {
        defer { unreachable.removeAll(keepingCapacity: true) }
        return unreachable
    }

    /// Closes the ROUTER, letting queued messages leave for up to 2 s first, and stops the gate.
    ///
    /// No `zmq_ctx_shutdown` here: it cut the linger short, and workers never received SHUTDOWN.
    func close() {
        try? router.set(.linger, 2_000)
        router.close()
        gate?.stop()
    }
}
