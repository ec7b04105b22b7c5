/// Per-row argmax and classification accuracy.
extension Kernels {
    /// The column of each row's largest value; ties go to the first, NaN counts as largest
    /// (PyTorch's `argmax`). A row of a `rows × 0` matrix has no argmax: it needs `cols ≥ 1`.
    public static func argmaxRows(_ x: Matrix) -> [Int] {
        precondition(x.cols > 0, "argmaxRows of a matrix with no columns (\(x.rows)×0)")
        let cols = x.cols
        return x.withUnsafeBufferPointer { xs in
            (0..<x.rows).map { r in
                let row = xs.baseAddress! + r * cols
                var best = 0
                var value = row[0]
                if value.isNaN { return 0 }
                for c in 1..<cols {
                    let v = row[c]
                    if v.isNaN { return c }
                    if v > value {
                        value = v
                        best = c
                    }
                }
                return best
            }
        }
    }

    /// The fraction of rows whose argmax equals the label (0 for an empty batch).
    public static func accuracy(logits: Matrix, labels: [Int]) -> Double {
        precondition(labels.count == logits.rows, "accuracy: \(labels.count) labels for \(logits.rows) rows of logits")
        guard logits.rows > 0 else { return 0 }
        let predicted = argmaxRows(logits)
        var correct = 0
        for (p, y) in zip(predicted, labels) where p == y { correct += 1 }
        return Double(correct) / Double(labels.count)
    }
}
