import Foundation

/// A self-pipe that wakes a socket thread's `zmq_poll` loop (register `readFD` with a ``Poller``) from
/// another thread or a signal handler; shared by the coordinator and the worker.
///
/// Signals coalesce: while one wake-up is pending, further ``signal()`` calls write nothing, so a
/// busy producer costs one `write` per poll round, not one per item.
///
/// `@unchecked Sendable`: the file descriptors never change and `pending` is only touched under `lock`.
public final class WakePipe: @unchecked Sendable {
    public let readFD: Int32
    public let writeFD: Int32
    private let lock = NSLock()
    private var pending = false

    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fatalError("pipe failed: errno \(errno)") }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    public func signal() {
        lock.lock()
        let write = !pending
        pending = true
        lock.unlock()
        if write {
            var byte: UInt8 = 1
            _ = Foundation.write(writeFD, &byte, 1)
        }
    }

    /// Empties the pipe; call before taking the queued items, so a later signal wakes the loop again.
    ///
    /// Reads first, then clears `pending`: cleared first, a signal landing between the two would
    /// have its byte swallowed while `pending` stayed set, muting every later signal.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, 64) > 0 {}
        lock.lock()
        pending = false
        lock.unlock()
    }
}
