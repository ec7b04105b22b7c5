/// The neural-network layers of NoisyCore: forward and backward passes on batches of rows.
///
/// Layout conventions:
/// - A batch is a ``Matrix`` with one sample per row, `Float`, row-major.
/// - Images are flattened NCHW per row: sample `n`'s `C·H·W` values, `index = (c·H + y)·W + x`
///   (PyTorch's `x.view(N, -1)`); ``ImageShape`` names `C, H, W` for the layers that need them.
/// - Weights follow PyTorch: ``Linear`` stores `W` as `out × in` and computes `y = x·Wᵀ + b`;
///   ``Conv2d`` stores `out × (in·k·k)`, i.e. PyTorch's `out × in × kH × kW` flattened.
///   Biases and per-feature vectors are `1 × n` matrices.
///
/// Protocol: `forward(_:training:)` caches what `backward(_:)` needs; `backward(_:)` takes
/// `∂L/∂output`, **adds** the parameter gradients into each ``Parameter/gradient`` (so they
/// accumulate until ``Layer/zeroGrad()``) and returns `∂L/∂input`. One `backward` per `forward`.
/// Layers are single-threaded reference types: a model belongs to the thread that trains it.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// The output for a batch `x`; caches what ``backward(_:)`` needs.
    /// `training` selects batch statistics (BatchNorm) over running ones.
    func forward(_ x: Matrix, training: Bool) -> Matrix

    /// `∂L/∂input` from `∂L/∂output` for the batch of the last ``forward(_:training:)``;
    /// accumulates parameter gradients.
    func backward(_ gradOutput: Matrix) -> Matrix

    /// The trainable parameters, in a fixed order (the optimiser's state follows this order).
    var parameters: [Parameter] { get }
}

extension Layer {
    /// Sets every parameter gradient to zero.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }

    /// The number of trainable scalars.
    public var parameterCount: Int {
        parameters.reduce(0) { $0 + $1.value.count }
    }
}

/// The batch a layer cached in `forward`, or a clear failure when `backward` comes first.
@usableFromInline
func requireCached<T>(_ value: T?, _ layer: String) -> T {
    guard let value else { preconditionFailure("\(layer).backward called before forward") }
    return value
}
