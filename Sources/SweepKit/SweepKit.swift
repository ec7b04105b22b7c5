/// Grid files, cell keys, the wire messages and the scheduling state machine (issue 5).
public enum SweepKit {
    /// The version of the result format; part of every cell key, so a change reruns cells.
    /// Raised whenever the numbers a cell produces change for the same spec, so a database never
    /// mixes results of two implementations under one key.
    /// - 1: first release.
    /// - 2: Conv2d sums its weight gradient over chunks of the batch in one GEMM (pre-trained
    ///   models, and so every result downstream, differ in the last bits).
    public static let resultFormatVersion = 2
}
