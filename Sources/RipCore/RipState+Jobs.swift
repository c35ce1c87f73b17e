import RipBase
import RipProto

extension RipState {
    /// The decision of a SubmitJob call, once `JobRules.validate` passed (outside the writer
    /// lock: 10,000 URLs take a while): the job record, bound to the session the request names,
    /// that a `submitJob` mutation carries (`id` is a fresh `RipID.job` id); or, when a job
    /// holds the request's unique key at `now`, that job, marked deduplicated, and nothing to
    /// record. RESOURCE_EXHAUSTED when it would create a job while `maxJobs` are held.
    /// Its limit key is the request's rate_key, or the registrable domain of its first URL under
    /// `suffixes`.
    public func decideSubmit(
        _ request: RipSubmitJobRequest, id: String, suffixes: PublicSuffixList, maxJobs: UInt64 = .max, now: UnixMillis
    ) throws -> SubmitDecision {
        let sessionID = request.session.isEmpty ? "" : try sessions.id(of: request.session)
        if var holder = jobs.holder(ofUniqueKey: request.uniqueKey, at: now) {
            holder = JobBoard.view(holder, at: now)
            holder.deduplicated = true
            return .existing(holder)
        }
        try JobRules.checkRoom(held: jobs.count, max: maxJobs)
        var job = JobRules.makeJob(request, id: id, sessionID: sessionID, now: now)
        job.limitKey = request.rateKey.isEmpty ? suffixes.limitKey(ofURL: request.urls.first ?? "") : request.rateKey
        return .create(.with { $0.submitJob = job })
    }

    /// The decision of a FailJob call: the failure, and when a retryable one may run again
    /// (`backoff` after the job's attempt).
    public func decideFail(_ request: RipFailJobRequest, backoff: Backoff, now: UnixMillis) throws -> RipMutation {
        let attempt = try jobs.find(request.jobID).attempt
        return .with {
            $0.failJob = .with {
                $0.request = request
                $0.retryAtUnixMs = request.retryable ? backoff.retryAt(attempt: attempt, now: now) : 0
            }
        }
    }

    /// The lease sweep's decision at `now`: every running job whose lease ran out (or whose
    /// timeout passed), with when a timed-out one may run again; nil when none is due.
    public func decideExpiry(backoff: Backoff, now: UnixMillis) -> RipMutation? {
        let entries = jobs.overdue(at: now).map { job, timedOut in
            RipJobExpiry.Entry.with {
                $0.jobID = job.id
                $0.token = job.lease.token
                $0.timedOut = timedOut
                if timedOut { $0.retryAtUnixMs = backoff.retryAt(attempt: job.attempt, now: now) }
            }
        }
        return entries.isEmpty ? nil : .with { $0.jobExpiry = .with { $0.entries = entries } }
    }

    /// A claim at `now`: picks the ready jobs `request` may take, records the pick with a
    /// fresh lease token per job, and applies it. Nothing is recorded when nothing is ready.
    public mutating func claim(
        _ request: ClaimTerms, now: UnixMillis, token: () -> String
    ) throws -> (mutation: RipMutation?, applied: Applied, response: RipClaimResponse) {
        let picked = jobs.pick(methods: request.methods, limit: request.maxJobs, now: now)
        guard !picked.isEmpty else { return (nil, Applied(), RipClaimResponse()) }
        let mutation = RipMutation.with {
            $0.timeUnixMs = now
            $0.jobClaim = .with {
                $0.workerID = request.workerID
                $0.leaseMs = request.leaseMs
                $0.grants = picked.map { id in .with { $0.jobID = id; $0.token = token() } }
            }
        }
        let applied = try apply(mutation)
        let response = RipClaimResponse.with {
            $0.jobs = applied.jobs.map { job in
                .with {
                    $0.job = job
                    $0.token = job.lease.token
                    if let session = sessions.byID[job.sessionID] {
                        $0.userAgent = session.userAgent
                        $0.headers = session.headers
                    }
                }
            }
        }
        return (mutation, applied, response)
    }
}

/// What a SubmitJob call does.
public enum SubmitDecision: Sendable {
    /// Records this `submitJob` mutation.
    case create(RipMutation)
    /// Records nothing: this job holds the request's unique key.
    case existing(RipJob)
}

/// A worker's claim, checked and with defaults filled in.
public struct ClaimTerms: Sendable {
    public let workerID: String
    public let methods: [String]
    public let leaseMs: UInt32
    public let waitMs: UInt32
    public let maxJobs: Int

    public init(_ request: RipClaimRequest) throws {
        guard (1...128).contains(SessionRules.characters(request.workerID, limit: 128)) else {
            throw RipError.invalidArgument("worker_id must be 1–128 characters, got \(SessionRules.characters(request.workerID, limit: 128))")
        }
        try SessionRules.checkNoControlCharacters(request.workerID, what: "worker_id")
        guard request.methods.count <= RipLimits.Job.maxClaimMethods else {
            throw RipError.invalidArgument("a claim names at most \(RipLimits.Job.maxClaimMethods) methods, got \(request.methods.count)")
        }
        for method in request.methods { try JobRules.checkMethod(method) }
        let lease = request.leaseMs == 0 ? 30_000 : request.leaseMs
        guard (1000...3_600_000).contains(lease) else {
            throw RipError.invalidArgument("lease must be 1000–3600000 ms, got \(lease)")
        }
        guard request.waitMs <= 600_000 else {
            throw RipError.invalidArgument("wait must be at most 600000 ms, got \(request.waitMs)")
        }
        let maxJobs = request.maxJobs == 0 ? 1 : Int(request.maxJobs)
        guard maxJobs <= 100 else { throw RipError.invalidArgument("max_jobs must be at most 100, got \(maxJobs)") }
        workerID = request.workerID
        methods = request.methods
        leaseMs = lease
        waitMs = request.waitMs
        self.maxJobs = maxJobs
    }
}
