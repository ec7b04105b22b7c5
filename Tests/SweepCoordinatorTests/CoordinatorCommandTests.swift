import Foundation
import NoisyCore
import SweepCoordinator
import SweepKit
import Testing

/// The coordinator's side of command cells: READY's `commands` and `tag:` capabilities reach the
/// scheduler, and a command cell no connected worker may run is said, not silently waited on.
@Suite struct CoordinatorCommandTests {
    func commandCells() throws -> [GridCell] {
        try Grid.parse(yaml: """
            noise_ratios: [0]
            tasks: [digits]
            methods: [lp]
            seeds: 1
            extract: {command: [sh, -c, true], requires: [gpu]}
            """).expand().cells
    }

    @Test func aCommandCellWithoutARunnerIsSaid() throws {
        var session = makeSession(try commandCells())
        session.tick(now: at(0))
        #expect(session.commandWait.current == "1 command cell wait for a worker with --allow-commands and --tags gpu; none is connected")
        // A worker without the opt-in gets nothing; one with it but without the tag neither.
        session.join(WorkerID("plain"), now: at(10))
        session.received(ready(WorkerID("cpu"), capabilities: [Wire.Ready.resultFormatCapability, "commands", "tag:cpu"]),
                         from: WorkerID("cpu"), now: at(20))
        session.received(.credit(Wire.Credit(slots: 2)), from: WorkerID("cpu"), now: at(20))
        #expect(session.assignAccepted(now: at(30)).isEmpty)
        session.tick(now: at(1_100))
        #expect(!session.commandWait.current.isEmpty)
        // The right worker joins: the command cell goes to it, and the note clears.
        let gpu = WorkerID("gpu")
        session.received(ready(gpu, capabilities: [Wire.Ready.resultFormatCapability] + Wire.Ready.commandCapabilities(allowCommands: true, tags: ["gpu"])),
                         from: gpu, now: at(1_200))
        session.received(.credit(Wire.Credit(slots: 2)), from: gpu, now: at(1_200))
        let assigned = session.assignAccepted(now: at(1_300))
        #expect(assigned.map(\.worker) == [gpu])
        guard case .command(let spec) = try assigned.first?.assign.spec() else { Issue.record("no command cell assigned"); return }
        #expect(spec.requires == ["gpu"], "the ASSIGN carries the tags and the time limit the key leaves out")
        session.received(.heartbeat, from: gpu, now: at(2_350))  // alive (liveness is 300 ms here)
        session.tick(now: at(2_400))
        #expect(session.commandWait.current.isEmpty)
    }
}
