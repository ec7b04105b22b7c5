/// Grid files, cell keys, the wire messages and the scheduling state machine (issue 5).
public enum SweepKit {
    /// The version of the result format; part of every cell key, so a change reruns cells.
    /// Raised whenever the numbers a cell produces change for the same spec, so a database never
    /// mixes results of two implementations under one key.
    /// - 1: first release.
    /// - 2: Conv2d sums its weight gradient over chunks of the batch in one GEMM (pre-trained
    ///   models, and so every result downstream, differ in the last bits).
    /// - 3: the study redesign (issue 12): scikit-learn digits in MNIST's geometry, LP's head
    ///   Kaiming-uniform with zero bias, the task split and probe drawn from a probe seed of its
    ///   own, task parameters and the noise model in the spec.
    public static let resultFormatVersion = 3
}
