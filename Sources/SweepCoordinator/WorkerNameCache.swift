import SweepKit

/// The text of a worker id (a result row's `worker_id`), kept for the worker whose results came
/// last: a RESULT message carries many results of one worker, so each row shares one string
/// instead of decoding the id's bytes into a new one.
struct WorkerNameCache {
    private var last: (id: WorkerID, name: String)?

    /// `id` as text (invalid UTF-8 repaired, as ``SweepKit/WorkerID/description``).
    mutating func name(of id: WorkerID) -> String {
        if let last, last.id == id { return last.name }
        let name = id.description
        last = (id, name)
        return name
    }
}
