public import SweepKit

/// The coordinator's services: socket loop, dispatcher, result writer (issue 5).
public enum SweepCoordinator {}
