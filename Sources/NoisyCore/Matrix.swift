/// A dense, row-major matrix of `Float` with owned, 64-byte-aligned storage.
///
/// `Matrix` has value semantics (copy on write). Kernels work on ``MatrixView`` and
/// ``MutableMatrixView``: non-owning views with a row stride, so a block of rows or columns of a
/// matrix is passed to GEMM without a copy.
public struct Matrix: Sendable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var cols: Int
    @usableFromInline var storage: MatrixStorage

    /// A `rows × cols` matrix of zeros.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative: \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = MatrixStorage(count: rows * cols)
    }

    /// A `rows × cols` matrix whose elements are unspecified: for outputs the caller overwrites
    /// entirely (a GEMM with `beta == 0`, an elementwise result) before anything reads them.
    init(uninitializedRows rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative: \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = MatrixStorage(count: rows * cols, zeroed: false)
    }

    /// A `rows × cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Float) {
        self.init(rows: rows, cols: cols)
        storage.pointer.update(repeating: value, count: rows * cols)
    }

    /// A matrix from row-major `elements`; `elements.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, elements: [Float]) {
        precondition(elements.count == rows * cols, "Matrix(\(rows)×\(cols)) needs \(rows * cols) elements, got \(elements.count)")
        self.init(uninitializedRows: rows, cols: cols)
        elements.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.update(from: base, count: source.count) }
        }
    }

    /// A matrix whose element (r, c) is `body(r, c)`.
    public init(rows: Int, cols: Int, _ body: (Int, Int) throws -> Float) rethrows {
        self.init(rows: rows, cols: cols)
        let p = storage.pointer
        for r in 0..<rows {
            for c in 0..<cols { p[r * cols + c] = try body(r, c) }
        }
    }

    /// The number of elements, `rows * cols`.
    @inlinable public var count: Int { rows * cols }

    /// The element at row `r`, column `c` (bounds-checked).
    @inlinable public subscript(r: Int, c: Int) -> Float {
        get {
            precondition(r >= 0 && r < rows && c >= 0 && c < cols, "Matrix index (\(r), \(c)) out of \(rows)×\(cols)")
            return storage.pointer[r * cols + c]
        }
        set {
            precondition(r >= 0 && r < rows && c >= 0 && c < cols, "Matrix index (\(r), \(c)) out of \(rows)×\(cols)")
            makeUnique()
            storage.pointer[r * cols + c] = newValue
        }
    }

    /// The elements in row-major order.
    public var elements: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Row `r` as an array.
    public func row(_ r: Int) -> [Float] {
        precondition(r >= 0 && r < rows, "Matrix row \(r) out of \(rows)")
        return Array(UnsafeBufferPointer(start: storage.pointer + r * cols, count: cols))
    }

    /// The transpose, as a new matrix.
    public var transposed: Matrix {
        let result = Matrix(rows: cols, cols: rows)
        let source = storage.pointer
        let target = result.storage.pointer
        // Blocked so both sides stay in cache for large matrices.
        let block = 32
        for r0 in stride(from: 0, to: rows, by: block) {
            for c0 in stride(from: 0, to: cols, by: block) {
                for r in r0..<min(r0 + block, rows) {
                    for c in c0..<min(c0 + block, cols) { target[c * rows + r] = source[r * cols + c] }
                }
            }
        }
        return result
    }

    /// Changes the shape without touching the elements; `rows * cols` must stay the same.
    public func reshaped(rows newRows: Int, cols newCols: Int) -> Matrix {
        precondition(newRows * newCols == count, "Cannot reshape \(rows)×\(cols) to \(newRows)×\(newCols)")
        var result = self
        result.rows = newRows
        result.cols = newCols
        return result
    }

    /// A read-only view of the whole matrix, valid inside `body` only.
    @inlinable
    public func withView<R>(_ body: (MatrixView) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(MatrixView(base: UnsafePointer(storage.pointer), rows: rows, cols: cols, stride: cols))
        }
    }

    /// A mutable view of the whole matrix, valid inside `body` only.
    @inlinable
    public mutating func withMutableView<R>(_ body: (MutableMatrixView) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) {
            try body(MutableMatrixView(base: storage.pointer, rows: rows, cols: cols, stride: cols))
        }
    }

    /// The elements as a buffer, valid inside `body` only.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: count))
        }
    }

    /// The elements as a mutable buffer, valid inside `body` only.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
        }
    }

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
    }
}

extension Matrix: Equatable {
    /// Bitwise equality of shape and elements (so `-0 != +0` and `NaN == NaN` when the bits agree).
    public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
        guard lhs.rows == rhs.rows, lhs.cols == rhs.cols else { return false }
        if lhs.storage === rhs.storage { return true }
        let a = lhs.storage.pointer, b = rhs.storage.pointer
        for i in 0..<lhs.count where a[i].bitPattern != b[i].bitPattern { return false }
        return true
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = min(rows, 6)
        var lines = ["Matrix \(rows)×\(cols)"]
        for r in 0..<shown {
            let values = (0..<min(cols, 8)).map { String(self[r, $0]) }.joined(separator: ", ")
            lines.append("  [\(values)\(cols > 8 ? ", …" : "")]")
        }
        if rows > shown { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}

/// The owned, aligned buffer behind a ``Matrix``.
///
/// `@unchecked Sendable`: the buffer is only written through `Matrix`'s mutating members, which
/// copy it first unless the caller holds the only reference (copy on write), so a buffer shared
/// between threads is never written.
@usableFromInline
final class MatrixStorage: @unchecked Sendable {
    /// Alignment of every buffer: one cache line, one AVX-512 register.
    static let alignment = 64

    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let capacity: Int

    /// A buffer of `count` floats, zero unless `zeroed` is false: then its contents are
    /// unspecified and the caller writes every element before anything reads it (`Float` is a
    /// trivial type, so no initialisation is owed). Skipping the zeroing matters in training,
    /// where most matrices are a few dozen KiB and fully overwritten right away.
    @usableFromInline init(count: Int, zeroed: Bool = true) {
        capacity = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: Self.alignment)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    @usableFromInline func copy() -> MatrixStorage {
        let result = MatrixStorage(count: capacity, zeroed: false)
        result.pointer.update(from: pointer, count: capacity)
        return result
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
