public import NoisyCore
import StudyData

/// The downstream tasks a grid with pre-training may name (docs/data.md, "The task suite").
public enum GridTask {
    /// In-domain tasks: train and test splits of one data set (source domain first).
    public static let inDomain = DownstreamTask.allCases.filter { $0.kind == .id }.map(\.name)
        + GlyphTask.allCases.filter { $0.kind == .id }.map(\.rawValue)
    /// Out-of-domain tasks, `source->target`: the probe is trained on the source's train split
    /// and tested on the target.
    public static let outOfDomain = DownstreamTask.allCases.filter { $0.kind == .ood }.map(\.name)
        + GlyphTask.allCases.filter { $0.kind == .ood }.map(\.rawValue)
    /// Every task a grid with pre-training may name, in ``DownstreamTask`` order, then the glyph tasks.
    public static let all = DownstreamTask.allCases.map(\.name) + GlyphTask.names

    /// Whether `name` is an out-of-domain task.
    public static func isOutOfDomain(_ name: String) -> Bool { name.contains("->") }

    /// The domain of task `name`: a known task's, else transfer (a black-box grid's free label
    /// names an outside model's data, not the study's pre-training source).
    public static func domain(of name: String) -> TaskDomain {
        (try? DownstreamTask(name: name))?.domain ?? .transfer
    }

    /// The domain of an evaluate cell's task: as ``domain(of:)-(String)``, except that with a glyph
    /// pre-training source every task is transfer (Fashion-MNIST is then far transfer, not the source).
    public static func domain(of spec: EvaluateSpec) -> TaskDomain {
        if case .pretrained(let pretrain) = spec.features, pretrain.glyphs != nil { return .transfer }
        return domain(of: spec.task)
    }

    /// The number of classes of task `name` (image or text task), nil for a black-box grid's free label.
    public static func classCount(of name: String) -> Int? {
        (try? DownstreamTask(name: name))?.classCount ?? (try? TextTask(name: name))?.classCount
            ?? GlyphTask.named(name)?.classCount
    }

    /// The canonical spelling of a task name: `→` (and ` -> `) written as `->`.
    static func normalised(_ name: String) -> String {
        name.replacingOccurrences(of: "→", with: "->").replacingOccurrences(of: " ", with: "")
    }
}
