public import NoisyCore

/// One cell of a study: everything that determines its result, and nothing else.
///
/// A spec is a plain value: the coordinator hashes its canonical JSON into the cell key, ships it
/// to a worker, and the worker turns it into a result (StudyRunner's `CellRunner` for pre-training
/// and evaluate cells; the worker itself for no-op and command cells). Two specs that compare
/// equal produce bitwise identical results on any machine.
public enum CellSpec: Codable, Hashable, Sendable {
    /// Pre-train the extractor on noisy source labels; produces a model artifact.
    case pretrain(PretrainSpec)
    /// Tune a probe on a downstream task's features and measure it; depends on a model
    /// (or, in black-box mode, on feature files).
    case evaluate(EvaluateSpec)
    /// A cell that computes nothing: for measuring the runtime itself (`nmsweep-bench
    /// coordinator`) and, with a ``TestFault``, for fault-injection tests.
    case noop(NoopSpec)
    /// Run a user's command (an outside extractor or pre-training) on a worker that opted in;
    /// produces an output-folder artifact that evaluate cells read their features from.
    case command(CommandSpec)
}

/// A cell without computation; its result echoes its index.
public struct NoopSpec: Codable, Hashable, Sendable {
    /// Distinguishes no-op cells (and so their keys).
    public var index: Int
    /// Milliseconds to sleep, to imitate work.
    public var sleepMilliseconds: Int
    /// A fault to inject (tests only).
    public var fault: TestFault?

    public init(index: Int, sleepMilliseconds: Int = 0, fault: TestFault? = nil) {
        self.index = index
        self.sleepMilliseconds = sleepMilliseconds
        self.fault = fault
    }
}

/// Faults a no-op cell can inject, so reliability tests can exercise real failure paths.
public enum TestFault: String, Codable, Hashable, Sendable, CaseIterable {
    /// The worker process dies (abort) while running the cell.
    case crash
    /// The cell never finishes and its worker stops heartbeating (a hung process).
    case hang
    /// The cell throws a retryable error.
    case error
    /// The cell produces a non-finite number (a non-retryable failure).
    case nonFinite
    /// The cell never finishes while its worker keeps heartbeating (a hung slot, not a hung
    /// process): only a per-cell time limit (`--cell-timeout-ms`) ends its attempt.
    case stall
}
