/// Loss functions: a scalar loss and its gradient with respect to the prediction.
public enum Loss {}

/// A loss value and `∂loss/∂prediction` (same shape as the prediction).
public struct LossResult: Sendable {
    /// The loss, averaged as documented by the function that made it.
    public var value: Float
    /// `∂value/∂prediction`.
    public var gradient: Matrix

    public init(value: Float, gradient: Matrix) {
        self.value = value
        self.gradient = gradient
    }
}
