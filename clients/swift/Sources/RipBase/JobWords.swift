import RipProto

extension RipJobStatus {
    /// The lower-case word ripctl prints and accepts ("pending", "running", ...).
    public var word: String {
        switch self {
        case .pending: "pending"
        case .scheduled: "scheduled"
        case .running: "running"
        case .paused: "paused"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .dead: "dead"
        case .waiting: "waiting"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }
}

extension RipJobStatus {
    /// Completed, failed, cancelled or dead: nothing will change the job again but a retry.
    public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled || self == .dead }
}

extension RipJobPriority {
    /// The lower-case word ripctl prints and accepts ("low", ..., "critical").
    public var word: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        case .unspecified, .UNRECOGNIZED: "unspecified"
        }
    }
}
