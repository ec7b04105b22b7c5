/// A read-only, non-owning view of a row-major block of `Float`s with a row stride.
///
/// A view is valid only while the storage it points into is alive (inside `Matrix.withView`).
/// Kernels take views so that a block of rows or columns is passed without a copy.
public struct MatrixView {
    public let base: UnsafePointer<Float>
    public let rows: Int
    public let cols: Int
    /// Distance in elements between the starts of two consecutive rows (`>= cols`).
    public let stride: Int

    @inlinable
    public init(base: UnsafePointer<Float>, rows: Int, cols: Int, stride: Int) {
        precondition(rows >= 0 && cols >= 0 && stride >= cols, "MatrixView \(rows)×\(cols) with stride \(stride)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.stride = stride
    }

    /// The element at row `r`, column `c` (unchecked).
    @inlinable public subscript(r: Int, c: Int) -> Float { base[r * stride + c] }

    /// Rows `range` of this view, without a copy.
    @inlinable public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of \(rows)")
        return MatrixView(base: base + range.lowerBound * stride, rows: range.count, cols: cols, stride: stride)
    }

    /// Columns `range` of this view, without a copy.
    @inlinable public func cols(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= cols, "cols \(range) out of \(cols)")
        return MatrixView(base: base + range.lowerBound, rows: rows, cols: range.count, stride: stride)
    }

    /// A copy of the viewed elements as a new matrix.
    public func copy() -> Matrix {
        var result = Matrix(rows: rows, cols: cols)
        result.withMutableView { target in
            for r in 0..<rows { (target.base + r * target.stride).update(from: base + r * stride, count: cols) }
        }
        return result
    }
}

/// A mutable, non-owning view of a row-major block of `Float`s with a row stride.
public struct MutableMatrixView {
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let cols: Int
    /// Distance in elements between the starts of two consecutive rows (`>= cols`).
    public let stride: Int

    @inlinable
    public init(base: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int) {
        precondition(rows >= 0 && cols >= 0 && stride >= cols, "MutableMatrixView \(rows)×\(cols) with stride \(stride)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.stride = stride
    }

    /// The element at row `r`, column `c` (unchecked).
    @inlinable public subscript(r: Int, c: Int) -> Float {
        get { base[r * stride + c] }
        nonmutating set { base[r * stride + c] = newValue }
    }

    /// The same elements, read-only.
    @inlinable public var readOnly: MatrixView {
        MatrixView(base: UnsafePointer(base), rows: rows, cols: cols, stride: stride)
    }

    /// Rows `range` of this view, without a copy.
    @inlinable public func rows(_ range: Range<Int>) -> MutableMatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of \(rows)")
        return MutableMatrixView(base: base + range.lowerBound * stride, rows: range.count, cols: cols, stride: stride)
    }

    /// Columns `range` of this view, without a copy.
    @inlinable public func cols(_ range: Range<Int>) -> MutableMatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= cols, "cols \(range) out of \(cols)")
        return MutableMatrixView(base: base + range.lowerBound, rows: rows, cols: range.count, stride: stride)
    }
}
