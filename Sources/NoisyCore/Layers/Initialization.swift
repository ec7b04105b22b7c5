/// Weight initialisation as PyTorch does it for `nn.Linear` and `nn.Conv2d`.
public enum Initialization {
    /// PyTorch's default bound for weights and biases: `kaiming_uniform_(a = √5)` gives
    /// `gain·√(3/fanIn)` with `gain = √(2/(1+5))`, which is `1/√fanIn`; the bias uses the same bound.
    public static func defaultBound(fanIn: Int) -> Float {
        precondition(fanIn > 0, "fan-in must be positive, got \(fanIn)")
        return 1 / Float(fanIn).squareRoot()
    }

    /// A `rows × cols` matrix of `U(−bound, bound)` values drawn in row-major order from `rng`.
    public static func uniform(rows: Int, cols: Int, bound: Float, rng: inout RandomStream) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        m.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = rng.uniform(-bound, bound) }
        }
        return m
    }
}

/// How a layer's bias starts.
public enum BiasInitialization: Sendable, Hashable {
    /// `U(−1/√fanIn, 1/√fanIn)`, PyTorch's default.
    case uniform
    /// All zeros (the paper's probe heads).
    case zeros
    /// No bias parameter at all.
    case none
}
