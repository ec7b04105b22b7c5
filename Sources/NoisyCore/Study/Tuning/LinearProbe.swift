/// The classification heads of the three tuning methods.
public enum ProbeHead {
    /// The head of all three methods (LP's since result format 3, as the authors' `finetune.py`;
    /// before, LP used `torch.nn.Linear`'s default U(±1/√D) weights and bias): weights by `torch.nn.init.kaiming_uniform_` with its defaults
    /// (`a = 0`, `nonlinearity = "leaky_relu"`, fan-in mode), so gain `√2` and
    /// bound `√2·√(3/D) = √(6/D)`; bias zero. Drawn row-major from `rng`.
    public static func kaimingUniform(features: Int, classes: Int, rng: inout RandomStream) -> Linear {
        let bound = (6 / Float(features)).squareRoot()
        let weight = Initialization.uniform(rows: classes, cols: features, bound: bound, rng: &rng)
        return Linear(weight: weight, bias: Matrix(rows: 1, cols: classes), name: "head")
    }
}
