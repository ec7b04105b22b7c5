import Foundation
import Postgres
import SweepKit
import Testing
import TestSupport
import ZeroMQ

/// Cell keys name the spec, not the build, so a worker of a build whose numbers differ (another
/// `SweepKit.resultFormatVersion`) must never write results into a sweep: the coordinator answers
/// its READY with SHUTDOWN and sends it no cell.
@Suite("Workers of another result format are refused")
struct WorkerCompatibilityTests {
    @Test("a READY without this build's result-format capability gets SHUTDOWN, no cell, no row; the sweep finishes")
    func otherFormatRefused() throws {
        let url = try PostgresTestServer.freshDatabaseURL("compat")
        let port = try FaultHarness.freePort()
        let coordinator = try FaultHarness.coordinator(database: url, name: "compat", cells: 20, sleepMilliseconds: 5,
                                                       port: port, progress: "log")
        let context = try Context()
        defer { context.shutdown() }
        let dealer = try Socket(context, type: .dealer)
        defer { dealer.close() }
        let id = WorkerID("old-build")
        try dealer.set(.routingID, id.bytes)
        try dealer.set(.linger, 0)
        try dealer.connect("tcp://127.0.0.1:\(port)")
        let ready = Wire.Ready(worker: id, incarnation: 1, pid: 1, slots: 4, softwareVersion: "nmsweep-worker/0", host: "h",
                               capabilities: ["noop", "result-format/\(SweepKit.resultFormatVersion - 1)"])
        let frames = [try WireMessage.ready(ready).encoded(), try WireMessage.credit(Wire.Credit(slots: 4)).encoded()]
        for frame in frames { _ = try frame.withUnsafeBytes { try dealer.send(bytes: $0, dontWait: true) } }

        // Everything it hears within 3 s: one SHUTDOWN naming the mismatch, never WELCOME or ASSIGN.
        let poller = Poller()
        try poller.register(dealer)
        var heard: [WireMessage] = []
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            _ = try poller.poll(timeout: 100)
            while let parts = try dealer.receiveMultipart(dontWait: true) {
                if let frame = parts.last { heard.append(try WireMessage(decoding: frame)) }
            }
        }
        let reasons = heard.compactMap { if case .shutdown(let s) = $0 { s.reason } else { nil } }
        #expect(!reasons.isEmpty, "heard \(heard.map(\.kind))")
        #expect(reasons.allSatisfy { $0.contains("result format mismatch") && $0.contains("result-format/\(SweepKit.resultFormatVersion - 1)") })
        #expect(!heard.contains { if case .welcome = $0 { true } else if case .assign = $0 { true } else { false } }, "heard \(heard.map(\.kind))")
        let connection = try PostgresConnection(url: url)
        #expect(try FaultHarness.scalar(connection, "SELECT count(*)::int FROM workers") == 0)
        #expect(try FaultHarness.scalar(connection, "SELECT count(*)::int FROM cells WHERE state <> 'queued'") == 0)
        #expect(try FaultHarness.scalar(connection, "SELECT count(*)::int FROM events WHERE kind = 'worker_refused'") == 1)

        // A worker of this build then runs the whole sweep.
        let worker = try FaultHarness.worker(port: port, slots: 2)
        let outcome = coordinator.finish(timeout: 60)
        _ = worker.finish(timeout: 10)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(2000))")
        #expect(outcome.standardOutput.contains("20/20 done, 0 failed"), "\(outcome.standardOutput)")
        #expect(outcome.standardError.contains("refused worker old-build"), "\(outcome.standardError.suffix(2000))")
        #expect(try FaultHarness.scalar(connection, "SELECT count(*)::int FROM results") == 20)
    }
}
