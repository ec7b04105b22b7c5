/// A first-order optimiser over a fixed list of ``Parameter``s.
///
/// Usage per step: `zeroGrad()`, forward, loss, backward, optionally set `learningRate` from a
/// ``CosineSchedule``, then `step()`. Optimisers are single-threaded reference types.
public protocol Optimizer: AnyObject {
    /// The parameters this optimiser updates, in the order its state follows.
    var parameters: [Parameter] { get }
    /// The learning rate the next ``step()`` uses.
    var learningRate: Float { get set }
    /// Updates every parameter from its accumulated gradient.
    func step()
}

extension Optimizer {
    /// Sets every parameter gradient to zero.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}
