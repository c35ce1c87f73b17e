import RipProto

extension RipArtifact {
    /// The id of the session or job that owns it.
    public var ownerID: String { owner.resolvedID }
}

extension RipArtifactOwner {
    /// The owner's id once resolved (a session id, or a job id).
    public var resolvedID: String { jobID.isEmpty ? session : jobID }
}
