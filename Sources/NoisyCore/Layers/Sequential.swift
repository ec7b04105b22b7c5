/// Layers applied in order; backward runs them in reverse.
public final class Sequential: Layer {
    public private(set) var layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public convenience init(_ layers: any Layer...) {
        self.init(layers)
    }

    /// Adds a layer at the end.
    public func append(_ layer: any Layer) {
        layers.append(layer)
    }

    /// Every layer's parameters, in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        var y = x
        for layer in layers { y = layer.forward(y, training: training) }
        return y
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        var g = gradOutput
        for layer in layers.reversed() { g = layer.backward(g) }
        return g
    }

    public var description: String {
        "Sequential(" + layers.map(\.description).joined(separator: " → ") + ")"
    }
}
