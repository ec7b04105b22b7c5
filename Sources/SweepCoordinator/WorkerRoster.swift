import Logging
import SweepKit

extension CoordinatorLoop {
    /// Answers a worker of another build (its READY lacks this build's result-format capability)
    /// with SHUTDOWN, registers nothing and sends it no cell: its results would be stored under
    /// keys that promise this build's numbers. Logged and recorded once per worker id.
    func refuseIncompatible(_ worker: WorkerID, _ ready: Wire.Ready) {
        let formats = ready.capabilities.filter { $0.hasPrefix("result-format/") }
        let theirs = formats.isEmpty ? "none" : formats.joined(separator: ", ")
        let reason = "result format mismatch: this coordinator stores \(Wire.Ready.resultFormatCapability), "
            + "the worker reports \(theirs) (\(ready.softwareVersion)); run the same nmsweep build on every node"
        send(.shutdown(Wire.Shutdown(reason: reason)), to: worker)
        guard incompatible.insert(worker).inserted else { return }
        logger.warning("refused worker \(worker) on \(ready.host), pid \(ready.pid): \(reason)")
        store.enqueue(.event(kind: "worker_refused", cell: nil, worker: worker.description, message: reason, detail: nil))
    }
}
