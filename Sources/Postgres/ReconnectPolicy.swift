/// How long to keep trying when the server is away: exponential backoff with a cap.
///
/// Attempt k (0-based) waits `min(initialDelay · multiplier^k, maxDelay)` seconds before it tries.
public struct ReconnectPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialDelay: Double
    public var multiplier: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, initialDelay: Double = 0.05, multiplier: Double = 2, maxDelay: Double = 2) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
    }

    /// About 6 s in all before giving up.
    public static let `default` = ReconnectPolicy()
    /// One immediate try, no waiting.
    public static let none = ReconnectPolicy(maxAttempts: 1, initialDelay: 0)

    /// The delay before attempt `k`, in seconds.
    public func delay(beforeAttempt k: Int) -> Double {
        guard k > 0 else { return 0 }
        var d = initialDelay
        for _ in 1..<k { d *= multiplier }
        return min(d, maxDelay)
    }
}
