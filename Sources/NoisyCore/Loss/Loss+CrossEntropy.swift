/// Softmax cross-entropy with integer labels, as `torch.nn.functional.cross_entropy` (mean).
extension Loss {
    /// `mean_b (logsumexp(z_b) − z_b[y_b])` and its gradient `(softmax(z) − onehot(y)) / B`.
    ///
    /// `logits` is `B × C`, `labels` has `B` entries in `0..<C`. Stable for any finite logits
    /// (log-sum-exp with the row maximum subtracted). The per-row losses are summed in `Double`
    /// in row order. O(B·C).
    public static func softmaxCrossEntropy(logits: Matrix, labels: [Int]) -> LossResult {
        let batch = logits.rows, classes = logits.cols
        precondition(labels.count == batch, "softmaxCrossEntropy: \(labels.count) labels for \(batch) rows of logits")
        precondition(batch > 0 && classes > 0, "softmaxCrossEntropy of empty logits \(batch)×\(classes)")
        for (row, label) in labels.enumerated() where label < 0 || label >= classes {
            preconditionFailure("softmaxCrossEntropy: label \(label) of row \(row) is outside 0..<\(classes)")
        }
        var gradient = Kernels.softmaxRows(logits)
        var total = 0.0
        logits.withUnsafeBufferPointer { zs in
            for b in 0..<batch {
                let row = zs.baseAddress! + b * classes
                total += Double(Kernels.logSumExp(row, count: classes) - row[labels[b]])
            }
        }
        gradient.withUnsafeMutableBufferPointer { g in
            for b in 0..<batch { g[b * classes + labels[b]] -= 1 }
        }
        Kernels.scale(&gradient, by: 1 / Float(batch))
        return LossResult(value: Float(total / Double(batch)), gradient: gradient)
    }
}
