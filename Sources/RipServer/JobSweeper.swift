import Logging
import RipCore
import RipEngine
import RipProto
import RipWire
import ServiceLifecycle

/// Keeps the job queue moving between calls: returns jobs whose lease ran out to the queue,
/// fails attempts that ran over their timeout, hands scheduled jobs that came due to parked
/// claims, fires the schedules' ticks, and removes finished and dead jobs past their retention.
public struct JobSweeper: Service {
    let store: any StateEngine
    let claims: ClaimDispatcher
    let policy: JobPolicy
    /// Where a scheduled job's limit key comes from.
    let suffixes: PublicSuffixList
    let logger: Logger

    public init(store: any StateEngine, claims: ClaimDispatcher, policy: JobPolicy, suffixes: PublicSuffixList, logger: Logger) {
        self.store = store
        self.claims = claims
        self.policy = policy
        self.suffixes = suffixes
        self.logger = logger
    }

    public func run() async throws {
        var lastRetentionCheck = ContinuousClock.now
        var lastServe = ContinuousClock.now
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(policy.sweepIntervalMs)) }
            } catch {
                return
            }
            let retention = ContinuousClock.now - lastRetentionCheck >= .seconds(1)
            if retention { lastRetentionCheck = .now }
            // Parked claims are this daemon's own: a scheduled job that came due (no record says
            // so) is offered to them here, whoever holds the duties. On a shared store, where
            // that takes a write turn, once a second (jobs readied by another daemon's records
            // are offered as those are applied).
            let serve = claims.hasWaiters && (!store.takesTurns || ContinuousClock.now - lastServe >= .seconds(1))
            if serve { lastServe = .now }
            do {
                let duties = try store.holdsDuties && hasWork(retention: retention)
                guard duties || serve else { continue }
                try await store.inTurn { [self] in
                    if duties {
                        try expireLeases()
                        try fireSchedules()
                        if retention { try removeOldJobs() }
                    }
                    if serve { claims.serve() }
                }
            } catch {
                // A store that cannot be reached says so itself, once per outage.
                logger.log(level: (error as? RipError)?.code == .unavailable ? .debug : .error, "job sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Whether a lease ran out, a schedule is due, or (`retention`) a job is past its retention:
    /// read first, so that a shared store takes a write turn only when there is work.
    private func hasWork(retention: Bool) throws -> Bool {
        let (backoff, requests) = (policy.backoff, retentionRequests)
        return try store.read { state, now in
            state.decideExpiry(backoff: backoff, now: now) != nil || state.schedules.hasDue(at: now)
                || (retention && requests.contains { state.jobs.hasClearable($0, now: now) })
        }
    }

    func expireLeases() throws {
        let backoff = policy.backoff
        guard let expiry = try store.read({ state, now in state.decideExpiry(backoff: backoff, now: now) }) else { return }
        let applied = try store.commit(expiry)
        for job in applied.jobs {
            logger.info("job lease ended", metadata: ["job": "\(job.id)", "status": "\(job.status.word)", "error": "\(job.error)"])
        }
        if applied.readiedJobs { claims.serve() }
    }

    /// Fires every schedule tick that is due, one commit each (a tick that became due while
    /// ripd was down included: its schedule's catch-up decides whether it submits).
    func fireSchedules() throws {
        for _ in 0..<1000 {
            guard try store.read({ state, now in state.schedules.hasDue(at: now) }) else { return }
            let id = RipID.job.generate()
            let (suffixes, maxJobs) = (self.suffixes, policy.maxJobs)
            let store = self.store
            let (applied, tick) = try store.commit(changing: { state, now -> (RipMutation?, Applied, RipScheduleTick?) in
                guard let mutation = state.decideNextTick(id: id, suffixes: suffixes, maxJobs: maxJobs, now: now) else {
                    return (nil, Applied(), nil)
                }
                let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                return (recorded, applied, mutation.scheduleTick)
            }, durability: nil)
            guard let tick else { return }
            if tick.hasJob {
                logger.info("schedule fired", metadata: ["schedule": "\(tick.name)", "job": "\(tick.job.id)"])
            } else {
                logger.info("schedule tick skipped", metadata: ["schedule": "\(tick.name)", "reason": "\(tick.skipReason)"])
            }
            if applied.readiedJobs { claims.serve() }
        }
    }

    /// Finished jobs past `--job-retention`, and dead ones past `--dead-retention`.
    private var retentionRequests: [RipClearJobsRequest] {
        [
            .with { $0.olderThanMs = policy.retentionMs },
            .with {
                $0.dead = true
                $0.olderThanMs = policy.deadRetentionMs
            },
        ]
    }

    /// Removes finished jobs past `--job-retention`, and dead ones past `--dead-retention`.
    func removeOldJobs() throws {
        for request in retentionRequests {
            guard try store.read({ state, now in state.jobs.hasClearable(request, now: now) }) else { continue }
            let removed = try store.commit(.with { $0.jobsClear = request }).jobs
            logger.info(
                request.dead ? "removed dead jobs past retention" : "removed finished jobs past retention",
                metadata: ["count": "\(removed.count)"])
        }
    }
}
