import SweepKit
import SweepRuntime

extension CoordinatorLoop {
    /// Once a round: dispatch only while the sweep's claim is held (fencing), stop when another
    /// coordinator took the sweep, and apply what the claim learnt about cells shared with
    /// other sweeps (finished there, or released to this coordinator).
    func applyClaim() {
        guard let claim else { return }
        if interrupted { return }
        if let owner = claim.takenBy {
            logger.error("sweep taken over by \(owner): this coordinator stops (its results so far are committed)")
            interrupted = true
            stopDeadline = monotonicMilliseconds() + configuration.shutdownGraceMilliseconds
            session.scheduler.setDispatchPaused(true)
            return
        }
        let held = claim.isHeld
        if session.scheduler.isDispatchPaused == held { session.scheduler.setDispatchPaused(!held) }
        let updates = claim.takeSharedCellUpdates()
        let now = SchedulerTime(milliseconds: monotonicMilliseconds())
        if !updates.done.isEmpty {
            logger.info("\(updates.done.count) shared cells were finished by another sweep's coordinator")
            session.perform(session.scheduler.doneElsewhere(updates.done, now: now), now: now)
        }
        if !updates.released.isEmpty {
            logger.info("\(updates.released.count) shared cells were released by another sweep's coordinator: they run here")
            session.scheduler.releaseHeld(updates.released)
        }
    }
}
