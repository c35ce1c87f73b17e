import RipProto

extension Rip_V1_Artifact {
    /// The id of the session or job that owns it.
    public var ownerID: String { owner.resolvedID }
}

extension Rip_V1_ArtifactOwner {
    /// The owner's id once resolved (a session id, or a job id).
    public var resolvedID: String { jobID.isEmpty ? session : jobID }
}
