import SweepKit
import Testing

/// Per-worker in-flight limits: a worker never holds more leases than its slots, and the slots
/// it may announce are capped at ``WireFormat/maxSlots`` on the wire and in the scheduler.
@Suite struct InFlightLimitTests {
    /// A ready frame with `slots` written over a valid one's slots field (found after the pid marker).
    static func readyFrame(slots: UInt32) throws -> [UInt8] {
        let marker: UInt32 = 0xDEAD_BEEF
        var frame = try WireMessage.ready(Wire.Ready(worker: WorkerID("w"), incarnation: 7, pid: marker, slots: 1,
                                                     softwareVersion: "t", host: "h")).encoded()
        let pid: [UInt8] = [0xEF, 0xBE, 0xAD, 0xDE]
        let at = try #require((0...(frame.count - 4)).first { Array(frame[$0..<($0 + 4)]) == pid }) + 4
        withUnsafeBytes(of: slots.littleEndian) { for (i, byte) in $0.enumerated() { frame[at + i] = byte } }
        return frame
    }

    @Test func readyAnnouncingMoreThanMaxSlotsIsRefusedOnTheWire() throws {
        guard case .ready(let ready) = try WireMessage(decoding: Self.readyFrame(slots: WireFormat.maxSlots)) else {
            Issue.record("not a ready")
            return
        }
        #expect(ready.slots == WireFormat.maxSlots)
        for slots: UInt32 in [WireFormat.maxSlots + 1, 1 << 20, .max, 0] {
            #expect(throws: ProtocolError.self) { try WireMessage(decoding: Self.readyFrame(slots: slots)) }
        }
        #expect(throws: ProtocolError.self) { try WireMessage.credit(Wire.Credit(slots: WireFormat.maxSlots + 1)).encoded() }
    }

    @Test func schedulerCapsAnnouncedSlots() {
        var s = Scheduler(cells: plainCells(5_000), configuration: SchedulerConfiguration(maxAssignmentsPerDispatch: 100_000))
        let greedy = WorkerID("greedy")
        var actions = s.register(greedy, slots: 1_000_000, now: at(0)) + s.dispatch(now: at(0))
        // Credit far beyond its slots, many times: still clipped.
        for step in 1...20 { actions += s.credit(greedy, 1_000_000, now: at(Int64(step))) + s.dispatch(now: at(Int64(step))) }
        #expect(actions.assignments.count == Int(WireFormat.maxSlots))
        #expect(s.leases(of: greedy).count == Int(WireFormat.maxSlots))
    }

    @Test func aWorkerNeverHoldsMoreThanItsSlots() {
        var s = Scheduler(cells: plainCells(100), configuration: SchedulerConfiguration(maxAssignmentsPerDispatch: 1_000))
        let w = WorkerID("w")
        var actions = s.register(w, slots: 3, now: at(0)) + s.dispatch(now: at(0))
        for step in 1...10 { actions += s.credit(w, Int(WireFormat.maxSlots), now: at(Int64(step))) + s.dispatch(now: at(Int64(step))) }
        #expect(actions.assignments.count == 3)
        // It finishes one: exactly one more.
        let first = actions.assignments[0]
        _ = s.result(w, cell: first.cell, lease: first.lease, now: at(20))
        _ = s.committed([first.cell], now: at(20))
        let more = s.credit(w, 1_000, now: at(21)) + s.dispatch(now: at(21))
        #expect(more.assignments.count == 1)
        #expect(s.leases(of: w).count == 3)
    }
}
