import Dispatch
import Foundation
public import Hummingbird
public import Logging
import NIOCore
import NIOPosix

/// An HTTP server (Hummingbird, HTTP/1.1) on threads of its own — a NIO event loop for the
/// sockets, a ``ThreadTaskExecutor`` for its async tasks — started from a plain thread and stopped
/// with the process: the coordinator's and worker's socket threads never run a request, a request
/// never waits for them, and none of it runs on Swift's cooperative pool.
///
/// Routes given as `open` answer anyone who reaches the address; `protected` ones, when a
/// ``BearerToken`` is set, only a request carrying it (401 otherwise).
public final class HTTPServer: Sendable {
    /// Where it listens (the port resolved when 0 was asked for).
    public let address: HTTPAddress
    private let task: Task<Void, Never>

    private init(address: HTTPAddress, task: Task<Void, Never>) {
        self.address = address
        self.task = task
    }

    /// Starts listening and returns once the socket is bound (or throws why it could not be).
    ///
    /// - Parameters:
    ///   - open: registers routes that need no token (the page's static files).
    ///   - protected: registers routes that need the token when one is set (data, metrics).
    public static func start(address: HTTPAddress, token: BearerToken?, logger: Logger,
                             open: (Router<BasicRequestContext>) -> Void,
                             protected: (Router<BasicRequestContext>) -> Void) throws(SweepHTTPError) -> HTTPServer {
        let router = Router()
        open(router)
        if let token { router.add(middleware: BearerMiddleware(token: token)) }
        protected(router)
        let bound = BoundPort()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var serverLogger = logger
        // Hummingbird logs its child channels' cancellation at exit as an error; a failure to
        // listen reaches the caller through `run()`, and request errors are answered, not logged.
        serverLogger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "nmsweep"),
                              onServerRunning: { channel in bound.set(channel.localAddress?.port ?? address.port) },
                              eventLoopGroupProvider: .shared(group), logger: serverLogger)
        let task = Task(executorPreference: ThreadTaskExecutor(name: "http")) {
            do {
                try await app.run()
            } catch {
                bound.fail("\(error)")
            }
        }
        switch bound.wait(seconds: 30) {
        case .success(let port):
            return HTTPServer(address: HTTPAddress(host: address.host, port: port), task: task)
        case .failure(let error):
            task.cancel()
            throw .cannotListen("--http \(address.host):\(address.port): cannot listen: \(error.message)")
        }
    }

    /// Stops accepting requests (the process's exit does the same).
    public func stop() { task.cancel() }
}

/// The bound port, handed from the server's task to the thread that started it.
private final class BoundPort: @unchecked Sendable {
    // @unchecked Sendable: `result` is read and written under `lock` only.
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<Int, SweepHTTPError>?

    func set(_ port: Int) { finish(.success(port)) }
    func fail(_ why: String) { finish(.failure(.cannotListen(why))) }

    private func finish(_ value: Result<Int, SweepHTTPError>) {
        lock.lock()
        defer { lock.unlock() }
        guard result == nil else { return }
        result = value
        semaphore.signal()
    }

    func wait(seconds: Double) -> Result<Int, SweepHTTPError> {
        if semaphore.wait(timeout: .now() + seconds) == .timedOut {
            return .failure(.cannotListen("the server did not start within \(Int(seconds)) s"))
        }
        lock.lock()
        defer { lock.unlock() }
        return result ?? .failure(.cannotListen("the server stopped before it listened"))
    }
}

/// Answers 401 to a request without the token (`WWW-Authenticate: Bearer`).
struct BearerMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: BearerToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.admits(authorization: request.headers[.authorization]) else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "a bearer token is required (Authorization: Bearer …; docs/http.md)\n")))
        }
        return try await next(request, context)
    }
}
