public import NoisyCore

/// Helpers shared by the test targets.
public enum TestSupport {}
