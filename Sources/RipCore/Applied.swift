import RipProto

/// What applying one mutation did: the sessions or jobs it produced or removed (the reply to
/// the call that made it) and the change events watchers receive, in order.
public struct Applied: Sendable, Equatable {
    public var sessions: [RipSession] = []
    public var events: [RipSessionEvent] = []
    public var jobs: [RipJob] = []
    public var jobEvents: [RipJobEvent] = []
    /// A job became claimable: waiting workers should look again.
    public var readiedJobs = false
    /// Artifacts created or removed.
    public var artifacts: [RipArtifact] = []
    /// Contents (SHA-256) no artifact holds any more: their blobs may go once this is durable.
    public var releasedBlobs: [String] = []

    public init() {}

    /// The session a single-session mutation produced.
    public var session: RipSession { sessions.last ?? RipSession() }

    /// The job a single-job mutation produced.
    public var job: RipJob { jobs.last ?? RipJob() }

    mutating func record(_ kind: RipSessionEvent.Kind, _ session: RipSession, isResult: Bool = true) {
        if isResult { sessions.append(session) }
        events.append(.with {
            $0.kind = kind
            $0.session = session
        })
    }

    /// `isResult` false: an event only, for a job the change reached through another (a
    /// dependent released or cancelled when the job it ran after finished).
    mutating func record(_ kind: RipJobEvent.Kind, _ job: RipJob, logs: [RipLogEntry] = [], isResult: Bool = true) {
        if isResult { jobs.append(job) }
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
