extension Worker {
    /// Appended to the "coordinator silent" warning while no coordinator has ever answered: with
    /// CURVE, a refused handshake looks exactly like silence, so say what to check.
    var silenceHint: String {
        guard let curve = configuration.curve else {
            return " (never answered: is the coordinator running there, and does it use CURVE? then give --curve-key and --server-key)"
        }
        return " (never answered: is this worker's public key \(curve.publicKey) in the coordinator's allow-list, "
            + "and is \(curve.serverPublicKey) the coordinator's public key?)"
    }
}
