internal import CZeroMQ
import Foundation

/// Admits CURVE clients whose public key is in an allow-list (the ZeroMQ Authentication
/// Protocol, RFC 27): a thread of its own binds `inproc://zeromq.zap.01` as REP in a context
/// and answers each request libzmq makes during a CURVE handshake, 200 or 400.
///
/// Create it **before** the CURVE server socket binds: while no handler is bound, libzmq lets
/// every client in. It serves every ZAP domain unless `domain` is given. Anything but mechanism
/// `CURVE` with a listed key is denied, and counted in ``deniedCount``.
/// ``stop()`` (or `deinit`) ends the thread within ``pollMilliseconds``.
public final class ZAPAuthenticator: Sendable {
    /// The endpoint libzmq sends ZAP requests to (fixed by RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"
    /// How often the thread looks at its stop flag while idle.
    public static let pollMilliseconds = 50

    private let state: State

    /// Binds the handler in `context` and starts its thread; returns once bound.
    ///
    /// - Parameters:
    ///   - allowedPublicKeys: Z85 public keys (40 characters each) that may connect.
    ///   - domain: the only ZAP domain served (`nil`: all).
    /// - Throws: `EINVAL` naming a malformed key; the bind's error (e.g. `EADDRINUSE` when the
    ///   context already has a handler).
    public init(context: Context, allowedPublicKeys: Set<String>, domain: String? = nil) throws {
        try Self.validate(allowedPublicKeys)
        let state = State(allowed: allowedPublicKeys, domain: domain)
        self.state = state
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            state.run(context: context, started: started)
        }
        thread.name = "zap-authenticator"
        thread.start()
        started.wait()
        if let error = state.startError { throw error }
    }

    deinit { stop() }

    /// Replaces the allow-list; connections made later are judged by the new one.
    public func setAllowedPublicKeys(_ keys: Set<String>) throws {
        try Self.validate(keys)
        state.withLock { $0.allowed = keys }
    }

    /// Handshakes admitted so far.
    public var allowedCount: Int { state.withLock { $0.allowedCount } }
    /// Handshakes refused so far (unknown key, other mechanism, other domain, malformed request).
    public var deniedCount: Int { state.withLock { $0.deniedCount } }

    /// A refused handshake: who (the client's public key, when it offered one; never a secret),
    /// from where, and why.
    public struct Denial: Sendable, Equatable {
        /// The client's Z85 public key (nil for another mechanism or a malformed request).
        public var publicKey: String?
        /// The peer's address as libzmq reports it (an IP address for TCP).
        public var address: String
        public var reason: String
    }

    /// How many refusals ``takeDenials()`` keeps between calls; later ones are only counted.
    public static let keptDenials = 32

    /// The refusals since the last call (at most ``keptDenials``, oldest first) and how many more
    /// there were. O(kept): memory stays bounded however many clients knock.
    public func takeDenials() -> (denials: [Denial], notKept: Int) {
        state.withLock { locked in
            defer {
                locked.denials.removeAll(keepingCapacity: true)
                locked.denialsNotKept = 0
            }
            return (locked.denials, locked.denialsNotKept)
        }
    }

    /// Stops the thread and closes its socket; returns when it has ended. Idempotent.
    public func stop() {
        let failedToStart = state.startError != nil
        let wait = state.withLock { locked -> Bool in
            let running = !locked.stopRequested && !failedToStart
            locked.stopRequested = true
            return running
        }
        if wait { state.finished.wait() }
    }

    private static func validate(_ keys: Set<String>) throws {
        for key in keys where !CurveKeyPair.isValidKey(key) {
            // A public key is not secret, but print only its length: it may be a pasted secret key.
            throw ZeroMQError(code: EINVAL, message: "an allow-list key is not 40 Z85 characters (length \(key.count))",
                              operation: "ZAPAuthenticator")
        }
    }
}

extension ZAPAuthenticator {
    /// The state shared by the handler's thread and its owner.
    final class State: @unchecked Sendable {
        // `@unchecked`: every mutable field is read and written under `lock`, except `startError`,
        // written once before `started` is signalled and read only after that signal was received;
        // `finished` is a semaphore; the socket never leaves the handler's thread.
        struct Locked {
            var allowed: Set<String>
            var allowedCount = 0
            var deniedCount = 0
            var stopRequested = false
            var denials: [Denial] = []
            var denialsNotKept = 0

            /// Counts a refusal and keeps it while fewer than ``ZAPAuthenticator/keptDenials`` wait.
            mutating func deny(_ denial: Denial) {
                deniedCount += 1
                if denials.count < ZAPAuthenticator.keptDenials { denials.append(denial) } else { denialsNotKept += 1 }
            }
        }

        private let lock = NSLock()
        private var locked: Locked
        let domain: String?
        let finished = DispatchSemaphore(value: 0)
        private(set) var startError: ZeroMQError?

        init(allowed: Set<String>, domain: String?) {
            locked = Locked(allowed: allowed)
            self.domain = domain
        }

        func withLock<R>(_ body: (inout Locked) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&locked)
        }

        /// The thread's body: bind, report, serve until stopped or the context ends.
        func run(context: Context, started: DispatchSemaphore) {
            let socket: Socket
            do {
                socket = try Socket(context, type: .reply)
                try socket.bind(ZAPAuthenticator.endpoint)
            } catch {
                startError = error as? ZeroMQError
                    ?? ZeroMQError(code: EINVAL, message: "\(error)", operation: "ZAPAuthenticator bind")
                started.signal()
                return
            }
            started.signal()
            defer {
                socket.close()
                finished.signal()
            }
            let poller = Poller()
            _ = try? poller.register(socket)
            while !withLock({ $0.stopRequested }) {
                do {
                    guard try !poller.poll(timeout: ZAPAuthenticator.pollMilliseconds).isEmpty,
                          let request = try socket.receiveMultipart(dontWait: true, maxFrames: 16)
                    else { continue }
                    try socket.send(reply(to: request))
                } catch let error as ZeroMQError where error.isTerminated {
                    return
                } catch {
                    // A malformed exchange must not end the handler; REP is reset by its reply.
                    continue
                }
            }
        }

        /// The six reply frames for one request (RFC 27): version, request id, status code,
        /// status text, user id, metadata.
        func reply(to request: [Frame]) -> [Frame] {
            let requestID = request.count > 1 ? request[1] : []
            func answer(_ code: String, _ text: String, user: String = "") -> [Frame] {
                [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
            }
            // version, request id, domain, address, identity, mechanism, credentials…
            guard request.count >= 6, request[0] == Array("1.0".utf8) else {
                withLock { $0.deny(Denial(publicKey: nil, address: "", reason: "malformed ZAP request")) }
                return answer("500", "malformed ZAP request")
            }
            let requestDomain = String(decoding: request[2], as: UTF8.self)
            let address = String(decoding: request[3].prefix(256), as: UTF8.self)
            let mechanism = String(decoding: request[5], as: UTF8.self)
            let clientKey = mechanism == "CURVE" && request.count == 7 && request[6].count == 32
                ? Z85.encode(request[6]) : nil
            return withLock { locked in
                if let domain, domain != requestDomain {
                    locked.deny(Denial(publicKey: clientKey, address: address, reason: "unknown ZAP domain"))
                    return answer("400", "unknown ZAP domain")
                }
                guard let clientKey, locked.allowed.contains(clientKey) else {
                    let reason = mechanism == "CURVE" ? "public key not allowed" : "CURVE required"
                    locked.deny(Denial(publicKey: clientKey, address: address, reason: reason))
                    return answer("400", reason)
                }
                locked.allowedCount += 1
                return answer("200", "OK", user: clientKey)
            }
        }
    }
}
