/// A trainable tensor: its value, the gradient accumulated by `backward`, and a name.
///
/// A reference type so a layer, its optimiser and a gradient check all see the same storage.
/// Not `Sendable`: parameters belong to the thread that trains the model.
public final class Parameter {
    /// A dotted name such as `fc1.weight`, for checkpoints and error messages.
    public let name: String
    /// The current value.
    public var value: Matrix
    /// `∂L/∂value`, summed over every `backward` since the last ``zeroGrad()``; same shape as `value`.
    public var gradient: Matrix

    /// A parameter holding `value`, with a zero gradient.
    public init(name: String, value: Matrix) {
        self.name = name
        self.value = value
        self.gradient = Matrix(rows: value.rows, cols: value.cols)
    }

    /// Sets the gradient to zero (keeps its storage).
    public func zeroGrad() {
        gradient.withUnsafeMutableBufferPointer { g in
            if let base = g.baseAddress { base.update(repeating: 0, count: g.count) }
        }
    }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "\(name) \(value.rows)×\(value.cols)" }
}
