import RipProto

/// What applying one mutation did: the sessions or jobs it produced or removed (the reply to
/// the call that made it) and the change events watchers receive, in order.
public struct Applied: Sendable, Equatable {
    public var sessions: [Rip_V1_Session] = []
    public var events: [Rip_V1_SessionEvent] = []
    public var jobs: [Rip_V1_Job] = []
    public var jobEvents: [Rip_V1_JobEvent] = []
    /// A job became claimable: waiting workers should look again.
    public var readiedJobs = false
    /// Artifacts created or removed.
    public var artifacts: [Rip_V1_Artifact] = []
    /// Contents (SHA-256) no artifact holds any more: their blobs may go once this is durable.
    public var releasedBlobs: [String] = []

    public init() {}

    /// The session a single-session mutation produced.
    public var session: Rip_V1_Session { sessions.last ?? Rip_V1_Session() }

    /// The job a single-job mutation produced.
    public var job: Rip_V1_Job { jobs.last ?? Rip_V1_Job() }

    mutating func record(_ kind: Rip_V1_SessionEvent.Kind, _ session: Rip_V1_Session, isResult: Bool = true) {
        if isResult { sessions.append(session) }
        events.append(.with {
            $0.kind = kind
            $0.session = session
        })
    }

    mutating func record(_ kind: Rip_V1_JobEvent.Kind, _ job: Rip_V1_Job, logs: [Rip_V1_LogEntry] = []) {
        jobs.append(job)
        jobEvents.append(.with {
            $0.kind = kind
            $0.job = job
            $0.logs = logs
        })
    }

    /// Adds what another change (in the same mutation) did.
    mutating func merge(_ other: Applied) {
        sessions += other.sessions
        events += other.events
        jobs += other.jobs
        jobEvents += other.jobEvents
        readiedJobs = readiedJobs || other.readiedJobs
        artifacts += other.artifacts
        releasedBlobs += other.releasedBlobs
    }
}
