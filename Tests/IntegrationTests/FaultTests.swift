import Testing

/// Issue 6, "Faults": each case runs the real `nmsweep-coordinator` and `nmsweep-worker` processes
/// over TCP loopback against a real PostgreSQL, on no-op cells (`--noop-cells`, a sleep per cell)
/// with a 200 ms heartbeat, and injects one fault: a process killed, stopped or signalled, the
/// database stopped, a cell that crashes or hangs. Every case checks exactly one result row per
/// cell (`count(*) = count(DISTINCT cell_key)` = cells done) and prints what it measured (a line
/// starting `FAULT`).
///
/// The cases live in `Fault*Tests.swift` as suites nested here, run one at a time: each times
/// liveness against a 600 ms window, and two at once on a 2-core machine would blur that.
@Suite("Faults survived (real processes, PostgreSQL, ZeroMQ)", .serialized)
struct FaultTests {}

/// One line of measurements for docs/reliability.md, printed with the test output.
func reportFault(_ name: String, _ fields: KeyValuePairs<String, Any>) {
    print("FAULT \(name): " + fields.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
}
