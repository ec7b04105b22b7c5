/// The classification heads of the three tuning methods.
public enum ProbeHead {
    /// LP's head: `torch.nn.Linear(D, C)` as PyTorch initialises it (weights and bias
    /// `U(±1/√D)`), drawn from `rng`.
    public static func linearProbe(features: Int, classes: Int, rng: inout RandomStream) -> Linear {
        Linear(inputs: features, outputs: classes, bias: .uniform, rng: &rng, name: "head")
    }

    /// MLP / NMTune's head: weights by `torch.nn.init.kaiming_uniform_` with its defaults
    /// (`a = 0`, `nonlinearity = "leaky_relu"`, fan-in mode), so gain `√2` and
    /// bound `√2·√(3/D) = √(6/D)`; bias zero. Drawn row-major from `rng`.
    public static func kaimingUniform(features: Int, classes: Int, rng: inout RandomStream) -> Linear {
        let bound = (6 / Float(features)).squareRoot()
        let weight = Initialization.uniform(rows: classes, cols: features, bound: bound, rng: &rng)
        return Linear(weight: weight, bias: Matrix(rows: 1, cols: classes), name: "head")
    }
}
