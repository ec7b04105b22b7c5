extension SpectrumMetrics {
    /// SVE and LSVR of a feature matrix (M samples × D), with docs/science.md's preprocessing.
    ///
    /// As in the authors' code: each row L2-normalised, then each row's own mean over its D
    /// entries subtracted; then the singular values of the M×D result.
    /// - Throws: ``SpectrumMetricsError`` for an empty or all-constant matrix, `SVDError` for
    ///   non-finite features.
    /// - Complexity: one SVD (values only), O(M·D²) for M ≥ D.
    public init(features: Matrix) throws {
        guard features.rows > 0, features.cols > 0 else { throw SpectrumMetricsError.empty }
        var centred = Kernels.l2NormalizeRows(features)
        let cols = centred.cols, rows = centred.rows
        centred.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for r in 0..<rows {
                let row = base + r * cols
                let mean = Kernels.sum(UnsafePointer(row), count: cols) / Float(cols)
                Kernels.addScalar(-mean, to: row, count: cols)
            }
        }
        let sigma = try centred.withView { try singularValues(of: $0) }
        try self.init(singularValues: sigma)
    }
}
