import Foundation
import SweepRuntime
import SweepKit
import ZeroMQ

extension CoordinatorSocket {
    /// Sends SHUTDOWN to `workers` and keeps the socket open until each has disconnected (a send
    /// to it fails as unreachable) or `limit` ms pass, repeating SHUTDOWN every 50 ms meanwhile; a
    /// worker not in `workers` that sends anything meanwhile gets one SHUTDOWN.
    ///
    /// Why repeat: a SHUTDOWN sent once just before the socket closed was sometimes never
    /// delivered (seen in the fault tests: one of two workers kept reconnecting to a coordinator
    /// that had exited, and a local one was only stopped by SIGKILL). A worker that got it closes
    /// its connection, so the ROUTER reports it unreachable and it is not sent to again.
    func sayGoodbye(to workers: [WorkerID], reason: String, limit: Int64) {
        var remaining = Set(workers)
        var told = remaining
        let deadline = monotonicMilliseconds() + limit
        while !remaining.isEmpty && monotonicMilliseconds() < deadline {
            for worker in remaining {
                _ = takeUnreachable()
                send(.shutdown(Wire.Shutdown(reason: reason)), to: worker)
                if !takeUnreachable().isEmpty { remaining.remove(worker) }
            }
            // Take what arrives meanwhile (late heartbeats, results that will not be acknowledged).
            let round = monotonicMilliseconds() + 50
            while monotonicMilliseconds() < round {
                _ = try? poller.poll(timeout: Int(max(1, round - monotonicMilliseconds())))
                wake.drain()
                signals.drain()
                // Anyone still talking (a late joiner, a restarted local worker) is told too.
                while let frames = try? router.receiveMultipart(dontWait: true, maxFrames: 2) {
                    guard let identity = frames.first, !identity.isEmpty else { continue }
                    let worker = WorkerID(bytes: identity)
                    if told.insert(worker).inserted { send(.shutdown(Wire.Shutdown(reason: reason)), to: worker) }
                }
            }
        }
    }
}
