/// The downstream tasks of PAPER.md ("The same study at the scale of one small machine").
public enum GridTask {
    /// In-domain tasks: train and test splits of one data set.
    public static let inDomain = ["fmnist", "fmnist-coarse", "mnist5k", "digits"]
    /// Out-of-domain tasks, `source->target`: the probe is trained on the source's train split
    /// and tested on the target.
    public static let outOfDomain = ["mnist5k->digits", "digits->mnist5k", "fmnist->fmnist-rotated", "fmnist->fmnist-noisy"]
    /// Every task a grid with pre-training may name, ID first.
    public static let all = inDomain + outOfDomain

    /// Whether `name` is an out-of-domain task.
    public static func isOutOfDomain(_ name: String) -> Bool { name.contains("->") }

    /// The canonical spelling of a task name: `→` (and ` -> `) written as `->`.
    static func normalised(_ name: String) -> String {
        name.replacingOccurrences(of: "→", with: "->").replacingOccurrences(of: " ", with: "")
    }
}
