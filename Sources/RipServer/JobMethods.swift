import NIOCore
import RipCore
import RipEngine
import RipProto
import RipWire

/// The handlers of `rip.v1.JobService`. Changes are built from the state under the writer
/// lock (a job's attempt decides its backoff, a session name resolves to its id), committed,
/// and answered once durable; any change that readies a job wakes the parked claims.
struct JobMethods {
    let store: any StateEngine
    let claims: ClaimDispatcher
    let policy: JobPolicy
    /// Where a job's limit key (a registrable domain) comes from.
    let suffixes: PublicSuffixList
    let limiter = RateLimiter()

    func register(in table: inout MethodTable) {
        typealias Service = RipJobService
        let store = self.store
        let claims = self.claims
        let policy = self.policy
        let suffixes = self.suffixes
        let limiter = self.limiter
        /// Commits the mutation `build` makes; wakes parked claims if a job became ready.
        let commit: @Sendable (any EventLoop, (borrowing RipState, UnixMillis) throws -> RipMutation) throws -> Reply<RipJob> = {
            loop, build in
            var readied = false
            let reply = try store.commit(building: build, on: loop) { applied in
                readied = applied.readiedJobs
                return applied.job
            }
            if readied { claims.serve() }
            return reply
        }

        table.changing(Service.submitJob) { request, loop in
            try JobRules.validate(request, webhooks: policy.webhooks, now: store.clock())
            let id = RipID.job.generate()
            var readied = false
            let reply = try store.commit(
                changing: { state, now -> (RipMutation?, Applied, RipJob?) in
                    switch try state.decideSubmit(request, id: id, suffixes: suffixes, maxJobs: policy.maxJobs, now: now) {
                    case .existing(let job): return (nil, Applied(), job)
                    case .create(let mutation):
                        let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                        return (recorded, applied, nil)
                    }
                }, on: loop
            ) { applied, existing in
                readied = applied.readiedJobs
                return existing ?? applied.job
            }
            if readied { claims.serve() }
            return reply
        }
        table.unary(Service.getJob) { request in
            try store.read { state, now in try state.jobs.view(request.jobID, at: now, includeContent: request.includeContent) }
        }
        table.unary(Service.listJobs) { request in
            try store.read { state, now in try state.jobs.list(request, now: now) }
        }
        table.unary(Service.getJobLogs) { request in
            try store.read { state, _ in try state.jobs.logs(request) }
        }
        table.unary(Service.jobStats) { request in
            try store.read { state, now in try state.jobs.stats(request, now: now) }
        }
        table.changing(Service.cancelJobs) { request, loop in
            try store.commit(.with { $0.cancelJobs = request }, on: loop) { applied in
                .with { response in
                    for job in applied.jobs {
                        if job.status == .cancelled { response.cancelled.append(job) } else { response.requested.append(job) }
                    }
                }
            }
        }
        table.changing(Service.pauseJob) { request, loop in
            try commit(loop) { _, _ in .with { $0.pauseJob = request } }
        }
        table.changing(Service.resumeJob) { request, loop in
            try commit(loop) { _, _ in .with { $0.resumeJob = request } }
        }
        table.changing(Service.retryJob) { request, loop in
            try commit(loop) { _, _ in .with { $0.retryJob = request } }
        }
        table.changing(Service.clearJobs) { request, loop in
            try store.commit(.with { $0.jobsClear = request }, on: loop) { applied in
                .with { $0.removed = applied.jobs.map(\.id) }
            }
        }

        table.calling(Service.claim) { request, call in
            try claims.claim(try ClaimTerms(request), call: call)
        }
        table.changing(Service.heartbeat) { request, loop in
            try store.commit(.with { $0.jobHeartbeat = request }, on: loop, answered: .whenApplied) { applied in
                .with {
                    $0.cancelRequested = applied.job.cancelRequested
                    $0.leaseExpiresAt = applied.job.lease.expiresAt
                }
            }
        }
        table.changing(Service.appendLogs) { request, loop in
            let change = RipJobLogs.with {
                $0.request = request
                $0.maxLogLines = policy.maxLogLines
            }
            return try store.commit(.with { $0.jobLogs = change }, on: loop) { applied in
                .with { $0.lastSeq = applied.jobEvents.last?.logs.last?.seq ?? 0 }
            }
        }
        table.changing(Service.saveCheckpoint) { request, loop in
            try commit(loop) { _, _ in .with { $0.jobCheckpoint = request } }
        }
        table.changing(Service.completeJob) { request, loop in
            try commit(loop) { _, _ in .with { $0.completeJob = request } }
        }
        table.calling(Service.completeAndClaim) { request, call in
            let terms = try ClaimTerms(request.claim)  // checked before anything completes
            let completed = try commit(call.eventLoop) { _, _ in .with { $0.completeJob = request.complete } }
            let claimed: Reply<RipClaimResponse>
            do {
                claimed = try claims.claim(terms, call: call)
            } catch let error as RipError where error.code == .resourceExhausted {
                claimed = .now(.init())  // no room to park: the completion stands, the worker claims again
            }
            let loop = call.eventLoop
            return .later(completed.future(on: loop).and(claimed.future(on: loop)).map { job, next in
                .with {
                    $0.completed = job
                    $0.jobs = next.jobs
                }
            })
        }
        table.changing(Service.failJob) { request, loop in
            try commit(loop) { state, now in try state.decideFail(request, backoff: policy.backoff, now: now) }
        }
        table.changing(Service.releaseJob) { request, loop in
            try commit(loop) { _, _ in .with { $0.releaseJob = request } }
        }

        table.changing(Service.setLimit) { request, loop in
            let limit = try JobRules.checked(request)
            var readied = false
            let reply = try store.commit(.with { $0.setLimit = limit }, on: loop) { applied in
                readied = applied.readiedJobs
                return limit
            }
            if readied { claims.serve() }
            return reply
        }
        table.unary(Service.listLimits) { _ in
            try store.read { state, _ in state.jobs.listLimits() }
        }
        table.changing(Service.removeLimit) { request, loop in
            let removed = try store.read { state, _ in state.jobs.limit(of: request.key) } ?? .with { $0.key = request.key }
            var readied = false
            let reply = try store.commit(.with { $0.removeLimit = request }, on: loop) { applied in
                readied = applied.readiedJobs
                return removed
            }
            limiter.forget(request.key)
            if readied { claims.serve() }
            return reply
        }
        table.calling(Service.acquire) { request, call in
            try Self.acquire(request, on: call.eventLoop, store: store, suffixes: suffixes, limiter: limiter)
        }

        table.serverStream(Service.watchJob) { request, stream in
            try JobWatch.start(request, store: store, stream: stream)
        }
        table.serverStream(Service.watchEvents) { request, stream in
            let (token, _) = try store.watch(starting: { _, _ in }) { applied in
                if request.jobs {
                    for event in applied.jobEvents where request.logs || event.kind != .log {
                        stream.send(.with { $0.job = event })
                    }
                }
                if request.sessions {
                    for event in applied.events { stream.send(.with { $0.session = event }) }
                }
            }
            return { store.unwatch(token) }
        }
    }

    /// `Acquire`: a permit of the key's rate now, after a wait of at most `wait_ms` (the reply
    /// goes out when the permit is free), or a refusal saying when to ask again.
    static func acquire(
        _ request: RipAcquireRequest, on loop: any EventLoop, store: any StateEngine, suffixes: PublicSuffixList,
        limiter: RateLimiter
    ) throws -> Reply<RipAcquireResponse> {
        let key = try JobRules.key(of: request, suffixes: suffixes)
        guard let limit = try store.read({ state, _ in state.jobs.limit(of: key) }), limit.rateCount > 0 else {
            return .now(.with { $0.granted = true; $0.key = key })
        }
        switch limiter.reserve(limit, waitMs: Double(request.waitMs)) {
        case .refused(let retryAfter):
            return .now(.with { $0.key = key; $0.retryAfterMs = UInt64(retryAfter.rounded(.up)) })
        case .granted(let wait) where wait <= 0:
            return .now(.with { $0.granted = true; $0.key = key })
        case .granted(let wait):
            let waited = UInt64(wait.rounded(.up))
            let promise = loop.makePromise(of: RipAcquireResponse.self)
            loop.scheduleTask(in: .microseconds(Int64(wait * 1000))) {
                promise.succeed(.with { $0.granted = true; $0.key = key; $0.waitedMs = waited })
            }
            return .later(promise.futureResult)
        }
    }
}
