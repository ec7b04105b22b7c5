/// Grid files, cell keys, the wire messages and the scheduling state machine (issue 5).
public enum SweepKit {
    /// The version of the result format; part of every cell key, so a change reruns cells.
    public static let resultFormatVersion = 1
}
