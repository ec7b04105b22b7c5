import Foundation

/// SIGINT/SIGTERM to a pipe: the handler only stores the signal number and writes one byte
/// (both async-signal-safe); the socket loop polls the pipe's read end.
public enum StopSignal {
    nonisolated(unsafe) public static var writeFD: Int32 = -1
    nonisolated(unsafe) public static var received: Int32 = 0

    /// Routes SIGINT and SIGTERM to `pipe`, and unblocks them on the calling thread.
    public static func install(_ pipe: WakePipe) {
        writeFD = pipe.writeFD
        let handler: @convention(c) (Int32) -> Void = { number in
            StopSignal.received = number
            var byte: UInt8 = 2
            _ = write(StopSignal.writeFD, &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGPIPE, SIG_IGN)
        // A process started from a thread that blocks these (a libdispatch worker thread, as in
        // a test runner) inherits the mask, and a blocked SIGTERM would never stop it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
