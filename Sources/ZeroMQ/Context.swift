internal import CZeroMQ

/// A libzmq context: the I/O threads and the registry of `inproc://` endpoints.
///
/// Thread-safe, as libzmq's contexts are: create sockets from any thread. Every ``Socket``
/// keeps its context alive, so the context terminates (`zmq_ctx_term`, in `deinit`) only after
/// its last socket was closed, and termination never waits on a socket that still exists.
/// To wake threads blocked in socket calls (their calls then fail with ``ZeroMQError/isTerminated``),
/// call ``shutdown()``.
public final class Context: @unchecked Sendable {
    // `@unchecked`: the only state is the libzmq context pointer, and libzmq documents contexts
    // as thread-safe; it is never reassigned.
    let handle: UnsafeMutableRawPointer

    /// A new context with `ioThreads` background I/O threads (one carries ~1 GB/s of traffic) and
    /// room for `maxSockets` sockets (libzmq's default is 1,023; simulations of many workers in
    /// one process need more).
    public init(ioThreads: Int = 1, maxSockets: Int? = nil) throws {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError.last("zmq_ctx_new") }
        self.handle = handle
        var settings = [(ZMQ_IO_THREADS, Int32(clamping: ioThreads), "ZMQ_IO_THREADS \(ioThreads)")]
        if let maxSockets { settings.append((ZMQ_MAX_SOCKETS, Int32(clamping: maxSockets), "ZMQ_MAX_SOCKETS \(maxSockets)")) }
        for (option, value, what) in settings where zmq_ctx_set(handle, option, value) != 0 {
            let error = ZeroMQError.last("zmq_ctx_set \(what)")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Makes every blocking call on this context's sockets (in any thread) return with `ETERM`,
    /// and every later call fail the same way. Idempotent; does not wait.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        // All sockets retain the context, so none is open here; EINTR is the only failure to retry.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
