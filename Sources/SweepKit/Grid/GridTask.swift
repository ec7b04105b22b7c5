public import NoisyCore
import StudyData

/// The downstream tasks a grid with pre-training may name (docs/data.md, "The task suite").
public enum GridTask {
    /// In-domain tasks: train and test splits of one data set (source domain first).
    public static let inDomain = DownstreamTask.allCases.filter { $0.kind == .id }.map(\.name)
    /// Out-of-domain tasks, `source->target`: the probe is trained on the source's train split
    /// and tested on the target.
    public static let outOfDomain = DownstreamTask.allCases.filter { $0.kind == .ood }.map(\.name)
    /// Every task a grid with pre-training may name, in ``DownstreamTask`` order.
    public static let all = DownstreamTask.allCases.map(\.name)

    /// Whether `name` is an out-of-domain task.
    public static func isOutOfDomain(_ name: String) -> Bool { name.contains("->") }

    /// The domain of task `name`: a known task's, else transfer (a black-box grid's free label
    /// names an outside model's data, not the study's pre-training source).
    public static func domain(of name: String) -> TaskDomain {
        (try? DownstreamTask(name: name))?.domain ?? .transfer
    }

    /// The number of classes of task `name` (image or text task), nil for a black-box grid's free label.
    public static func classCount(of name: String) -> Int? {
        (try? DownstreamTask(name: name))?.classCount ?? (try? TextTask(name: name))?.classCount
    }

    /// The canonical spelling of a task name: `→` (and ` -> `) written as `->`.
    static func normalised(_ name: String) -> String {
        name.replacingOccurrences(of: "→", with: "->").replacingOccurrences(of: " ", with: "")
    }
}
