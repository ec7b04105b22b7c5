public import SweepKit

/// The worker's services: slots, heartbeat, artifact cache (issue 5).
public enum SweepWorker {}
