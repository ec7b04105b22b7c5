/// Mean squared error, as `torch.nn.functional.mse_loss` (mean over every element).
extension Loss {
    /// `mean_{b,d} (p − t)²` and its gradient `2(p − t) / (B·D)`; shapes must match.
    /// The sum of squares runs in `Double` in row-major order. O(B·D).
    public static func meanSquaredError(prediction: Matrix, target: Matrix) -> LossResult {
        precondition(prediction.rows == target.rows && prediction.cols == target.cols,
                     "meanSquaredError: prediction \(prediction.rows)×\(prediction.cols) vs target \(target.rows)×\(target.cols)")
        precondition(prediction.count > 0, "meanSquaredError of an empty \(prediction.rows)×\(prediction.cols) matrix")
        var difference = prediction
        Kernels.axpy(-1, target, &difference)
        var total = 0.0
        difference.withUnsafeBufferPointer { d in
            let rows = prediction.rows, cols = prediction.cols
            for r in 0..<rows {
                // Row in Float with the fixed-order dot, rows accumulated in Double.
                total += Double(Kernels.dot(d.baseAddress! + r * cols, d.baseAddress! + r * cols, count: cols))
            }
        }
        let n = Float(prediction.count)
        Kernels.scale(&difference, by: 2 / n)
        return LossResult(value: Float(total / Double(prediction.count)), gradient: difference)
    }
}
