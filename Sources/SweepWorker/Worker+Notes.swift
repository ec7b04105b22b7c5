import SweepKit

extension Worker {
    /// The session's notes as log lines (their words are what the integration tests look for).
    func log(_ note: WorkerNote) {
        switch note {
        case .welcomed(let session):
            logger.info("welcomed by the coordinator at \(configuration.connect), session \(String(session, radix: 16))")
        case .coordinatorSilent(let silent, let reconnectIn, let everAnswered):
            // Tests and operators read this line: keep its words.
            logger.warning("coordinator at \(configuration.connect) silent for \(silent) ms: reconnecting in \(reconnectIn) ms\(everAnswered ? "" : silenceHint)")
        case .draining(let reason, let handedBack, let running):
            logger.notice("\(reason): draining (\(handedBack) queued cells handed back, \(running) running)")
        case .resending(let count):
            logger.info("resending \(count) unacknowledged results")
        case .shutdown(let reason):
            logger.info("coordinator says shutdown: \(reason)")
        case .droppedBadFrame:
            logger.warning("dropped a bad frame from the coordinator")
        case .droppedWrongDirection(let kind):
            logger.warning("dropped a \(kind) from the coordinator (wrong direction)")
        case .badArtifactChunk(let error):
            logger.warning("bad artifact chunk: \(error)")
        case .unencodable(let kind):
            logger.error("cannot encode \(kind)")
        }
    }
}
