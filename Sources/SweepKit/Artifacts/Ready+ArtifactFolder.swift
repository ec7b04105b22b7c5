extension Wire.Ready {
    /// The capability prefix of a worker started with `--artifact-dir`: `artifact-dir/<identity>`,
    /// the shared folder's ``ArtifactFolder/identity()``. Such a worker writes its artifacts to
    /// that folder and uploads none, so a coordinator takes it only when it has the same folder
    /// (the same identity) as its own `--artifact-dir` (``artifactFolderMismatch(of:coordinatorIdentity:)``).
    public static let artifactFolderCapabilityPrefix = "artifact-dir/"

    /// The capability of a worker on the shared folder of this identity.
    public static func artifactFolderCapability(identity: String) -> String { artifactFolderCapabilityPrefix + identity }

    /// Why a worker's artifact folder does not match the coordinator's, or nil when it does (both
    /// on the same shared folder, or neither on one; a worker without a folder uploads through the
    /// coordinator, which stores wherever it stores).
    /// - Parameter coordinatorIdentity: the identity of the coordinator's `--artifact-dir`; nil without one.
    public static func artifactFolderMismatch(of capabilities: [String], coordinatorIdentity: String?) -> String? {
        guard let entry = capabilities.first(where: { $0.hasPrefix(artifactFolderCapabilityPrefix) }) else { return nil }
        let theirs = String(entry.dropFirst(artifactFolderCapabilityPrefix.count))
        guard let coordinatorIdentity else {
            return "this worker has --artifact-dir (folder \(theirs)) but the coordinator has none: its outputs would be stored where the coordinator cannot read them; start the coordinator with --artifact-dir on the same shared folder, or the worker without it"
        }
        guard theirs == coordinatorIdentity else {
            return "this worker's --artifact-dir is another folder (identity \(theirs)) than the coordinator's (identity \(coordinatorIdentity)): both must name the same shared folder (it may be mounted at another path)"
        }
        return nil
    }
}
