public import NoisyCore

extension GridCell {
    /// Why `result` cannot be this cell's result, or `nil` when it can: the checks at the
    /// coordinator's door, before anything is stored (docs/reliability.md, "Results validated at
    /// the door").
    ///
    /// Accuracy is a fraction in [0, 1]; every metric present is finite; an evaluate cell carries
    /// the SVE and LSVR of its frozen features; a realised noise ratio, if any, is in [0, 1]; a pretrain cell names its model by a SHA-256 (64 hex digits);
    /// other cells name none. O(1).
    public func problem(with result: CellResult) -> String? {
        func bad(_ field: String, _ value: Double, _ domain: String) -> String {
            "\(field) \(value) is not \(domain)"
        }
        let accuracy = result.accuracy
        guard accuracy.isFinite, accuracy >= 0, accuracy <= 1 else { return bad("accuracy", accuracy, "in [0, 1]") }
        var finite: [(String, Double?)] = [("sve", result.sve), ("lsvr", result.lsvr), ("tuned_sve", result.tunedSVE),
                                           ("tuned_lsvr", result.tunedLSVR), ("train_loss", result.trainLoss),
                                           ("realised_noise", result.realisedNoise)]
        if let terms = result.lossTerms {
            finite += [("loss_terms.ce", terms.crossEntropy), ("loss_terms.consistency", terms.consistency),
                       ("loss_terms.singular", terms.singular), ("loss_terms.covariance", terms.covariance)]
        }
        for case (let name, let value?) in finite where !value.isFinite { return bad(name, value, "finite") }
        if let noise = result.realisedNoise, noise < 0 || noise > 1 { return bad("realised_noise", noise, "in [0, 1]") }
        switch spec {
        case .pretrain, .command:
            guard let sha = result.artifactSHA256 else { return "a \(kind.rawValue) result names no model artifact" }
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                return "the model artifact \"\(sha.prefix(80))\" is not a SHA-256 (64 lowercase hex digits)"
            }
        case .evaluate:
            guard result.sve != nil, result.lsvr != nil else { return "an evaluate result without its SVE and LSVR" }
            if result.artifactSHA256 != nil { return "an evaluate result names a model artifact" }
        case .noop:
            if result.artifactSHA256 != nil { return "a no-op result names a model artifact" }
        }
        return nil
    }
}
