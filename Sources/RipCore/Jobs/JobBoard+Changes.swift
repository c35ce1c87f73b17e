import DequeModule
import RipProto
import RipBase

/// The changes to the job board, one per mutation kind. Each validates everything before it
/// changes anything, so a throwing change leaves the board as it was.
extension JobBoard {
    mutating func submit(_ job: RipJob, now: UnixMillis) throws -> Applied {
        guard byID[job.id] == nil else { throw RipError.alreadyExists("job \(job.id) already exists") }
        var job = job
        var unfinished: [String] = []
        for id in job.after {
            let before = try find(id)
            if !before.status.isFinished {
                unfinished.append(id)
            } else if before.status != .completed && !job.afterAny && job.error.isEmpty {
                job.error = Self.cancelReason(before)
            }
        }
        indexUniqueKey(of: job)
        if !job.error.isEmpty {
            job.status = .cancelled
            job.completedAt = .init(unixMillis: now)
            armWebhook(of: &job, now: now)
            return store(job, .created, now: now)
        }
        if !unfinished.isEmpty {
            job.status = .waiting
            job.waitingFor = unfinished
            for id in unfinished { dependents[id, default: []].insert(job.id) }
            return store(job, .created, now: now)
        }
        job.queueTicket = queue.enqueue(job)
        return store(job, .created, now: now, readied: true)
    }

    /// Jobs picked for a claim at `now`, in claim order (the live half of a claim; the record
    /// keeps the pick).
    mutating func pick(methods: [String], limit: Int, now: UnixMillis) -> [String] {
        // The closure captures only the jobs: capturing `self` would copy the queue being taken from.
        queue.take(
            methods: methods, limit: limit, now: now, isCurrent: { [byID] in Self.isQueued($0, in: byID) },
            room: { [byID, limits] entry in
                guard let key = byID[entry.id]?.limitKey, let room = limits.room(for: key) else { return nil }
                return (key, room)
            })
    }

    private static func isQueued(_ entry: JobQueue.Entry, in jobs: [String: RipJob]) -> Bool {
        guard let job = jobs[entry.id] else { return false }
        return job.status == .pending && job.queueTicket == entry.ticket
    }

    mutating func claim(_ claim: RipJobClaim, now: UnixMillis) throws -> Applied {
        for grant in claim.grants {
            let job = try find(grant.jobID)
            guard job.status == .pending, job.runAt.unixMillis <= now else {
                throw RipError.failedPrecondition("job \(job.id) is not ready to be claimed")
            }
        }
        var applied = Applied()
        for grant in claim.grants {
            var job = byID[grant.jobID]!
            job.status = .running
            job.attempt += 1
            job.startedAt = .init(unixMillis: now)
            job.heartbeatAt = .init(unixMillis: now)
            job.cancelRequested = false
            job.lease = .with {
                $0.workerID = claim.workerID
                $0.token = grant.token
                $0.leaseMs = claim.leaseMs
                $0.expiresAt = .init(unixMillis: now + Int64(claim.leaseMs))
            }
            job.workers.append(claim.workerID)
            if job.workers.count > JobRules.maxWorkersKept { job.workers.removeFirst() }
            running.insert(job.id)
            limits.started(job)
            applied.merge(store(job, .started, now: now))
        }
        return applied
    }

    mutating func heartbeat(_ request: RipHeartbeatRequest, now: UnixMillis) throws -> Applied {
        var job = try leased(request.jobID, token: request.token, now: now)
        try JobRules.checkMetrics(request.metrics)
        if request.hasProgress { job.progress = try Self.progress(request.progress, of: job) }
        if !request.metrics.isEmpty { job.metrics = request.metrics }
        job.heartbeatAt = .init(unixMillis: now)
        job.lease.expiresAt = .init(unixMillis: now + Int64(job.lease.leaseMs))
        return store(job, .progress, now: now)
    }

    mutating func appendLogs(_ change: RipJobLogs, now: UnixMillis) throws -> Applied {
        let request = change.request
        var job = try leased(request.jobID, token: request.token, now: now)
        try JobRules.checkLogs(request.entries)
        var log = logs[job.id] ?? JobLog()
        var added: [RipLogEntry] = []
        for var entry in request.entries {
            entry.seq = log.nextSeq
            entry.attempt = job.attempt
            if entry.level == .unspecified { entry.level = .info }
            if !entry.hasTime { entry.time = .init(unixMillis: now) }
            log.nextSeq += 1
            log.entries.append(entry)
            added.append(entry)
        }
        let cap = max(1, Int(change.maxLogLines))
        if log.entries.count > cap {
            let excess = log.entries.count - cap
            log.entries.removeFirst(excess)
            log.dropped += UInt64(excess)
        }
        logs[job.id] = log
        job.logLines = UInt64(log.entries.count)
        job.droppedLogLines = log.dropped
        return store(job, .log, now: now, logs: added)
    }

    mutating func saveCheckpoint(_ request: RipSaveCheckpointRequest, now: UnixMillis) throws -> Applied {
        var job = try leased(request.jobID, token: request.token, now: now)
        guard request.data.count <= RipLimits.Job.maxCheckpointBytes else {
            throw RipError.resourceExhausted(
                "a checkpoint holds at most \(RipLimits.Job.maxCheckpointBytes) bytes, got \(request.data.count)")
        }
        job.checkpoint = .with {
            $0.data = request.data
            $0.savedAt = .init(unixMillis: now)
        }
        return store(job, .updated, now: now)
    }

    mutating func complete(_ request: RipCompleteJobRequest, now: UnixMillis) throws -> Applied {
        var job = try leased(request.jobID, token: request.token, now: now)
        try JobRules.checkOutcome(error: nil, summary: request.summary, results: request.results)
        job.summary = request.summary
        job.results = Self.sized(request.results)
        job.progress =
            try request.hasProgress
            ? Self.progress(request.progress, of: job)
            : Self.progress(.with { $0.completed = UInt32(job.urls.count) }, of: job)
        job.error = ""
        return finish(job, as: .completed, now: now)
    }

    mutating func fail(_ failure: RipJobFailure, now: UnixMillis) throws -> Applied {
        let request = failure.request
        var job = try leased(request.jobID, token: request.token, now: now)
        try JobRules.checkOutcome(error: request.error, summary: "", results: request.results)
        job.results = Self.sized(request.results)
        if request.hasProgress { job.progress = try Self.progress(request.progress, of: job) }
        return failAttempt(job, error: request.error, retryAt: failure.retryAtUnixMs, now: now)
    }

    mutating func release(_ request: RipReleaseJobRequest, now: UnixMillis) throws -> Applied {
        var job = try leased(request.jobID, token: request.token, now: now)
        guard !job.cancelRequested else { return finish(job, as: .cancelled, now: now) }
        job.attempt -= 1
        return requeue(job, at: now, now: now)
    }

    mutating func expire(_ expiry: RipJobExpiry, now: UnixMillis) -> Applied {
        var applied = Applied()
        for entry in expiry.entries {
            // Void when the job moved on (heartbeat after the sweep looked, or finished).
            guard let job = byID[entry.jobID], job.status == .running, job.lease.token == entry.token else { continue }
            if entry.timedOut {
                let error = "attempt \(job.attempt) timed out after \(job.timeoutSeconds) s"
                applied.merge(failAttempt(job, error: error, retryAt: entry.retryAtUnixMs, now: now))
            } else if job.cancelRequested {
                applied.merge(finish(job, as: .cancelled, now: now))
            } else if job.attempt > job.maxRetries {
                var job = job
                job.error = "lease of \(job.lease.workerID) expired on attempt \(job.attempt), the last allowed"
                Self.recordFailedAttempt(of: &job, now: now)
                applied.merge(finish(job, as: .dead, now: now))
            } else {
                var job = job
                job.error = "lease of \(job.lease.workerID) expired on attempt \(job.attempt)"
                Self.recordFailedAttempt(of: &job, now: now)
                applied.merge(requeue(job, at: now, now: now))
            }
        }
        return applied
    }

    mutating func cancel(_ request: RipCancelJobsRequest, now: UnixMillis) throws -> Applied {
        let targets: [RipJob]
        switch (request.jobID.isEmpty, request.tag.isEmpty) {
        case (false, true):
            let job = try find(request.jobID)
            guard !job.status.isFinished else {
                throw RipError.failedPrecondition("job \(job.id) is already \(job.status.word)")
            }
            targets = [job]
        case (true, false):
            targets = byID.values.filter { !$0.status.isFinished && $0.tags.contains(request.tag) }
                .sorted { PageCursor($0) < PageCursor($1) }
        default:
            throw RipError.invalidArgument("give either a job id or a tag to cancel")
        }
        var applied = Applied()
        for target in targets {
            // One cancelled before may have cancelled this one, which waited for it.
            guard var job = byID[target.id], !job.status.isFinished else { continue }
            if job.status == .running && !request.force {
                job.cancelRequested = true
                applied.merge(store(job, .updated, now: now))
            } else {
                job.error = request.force && job.status == .running ? "cancelled by force" : "cancelled"
                applied.merge(finish(job, as: .cancelled, now: now))
            }
        }
        return applied
    }

    mutating func pause(_ request: RipPauseJobRequest, now: UnixMillis) throws -> Applied {
        var job = try find(request.jobID)
        guard job.status == .pending || job.status == .running else {
            throw RipError.failedPrecondition("only a pending, scheduled or running job can be paused; \(job.id) is \(job.status.word)")
        }
        let readied = stopRunning(job)
        job.status = .paused
        job.clearLease()
        return store(job, .updated, now: now, readied: readied)
    }

    mutating func resume(_ request: RipResumeJobRequest, now: UnixMillis) throws -> Applied {
        let job = try find(request.jobID)
        guard job.status == .paused else {
            throw RipError.failedPrecondition("only a paused job can be resumed; \(job.id) is \(job.status.word)")
        }
        return requeue(job, at: max(now, job.runAt.unixMillis), now: now)
    }

    mutating func retry(_ request: RipRetryJobRequest, now: UnixMillis) throws -> Applied {
        var job = try find(request.jobID)
        guard job.status == .failed || job.status == .cancelled || job.status == .dead else {
            throw RipError.failedPrecondition(
                "only a failed, cancelled or dead job can be retried; \(job.id) is \(job.status.word)")
        }
        if request.hasMaxRetries {
            try JobRules.checkRetries(request.maxRetries.value)
            job.maxRetries = request.maxRetries.value
        }
        job.attempt = 0
        job.clearCheckpoint()
        job.error = ""
        job.summary = ""
        job.results = []
        job.progress = .with { $0.total = UInt32(job.urls.count) }
        job.clearCompletedAt()
        job.cancelRequested = false
        // The earlier finish is not announced any more; the next one will be.
        if job.hasWebhookDelivery { job.webhookDelivery = .with { [finish = job.webhookDelivery.finish] in $0.finish = finish } }
        pendingHooks.remove(job.id)
        return requeue(job, at: now, now: now)
    }

    mutating func clear(_ request: RipClearJobsRequest, now: UnixMillis) throws -> Applied {
        var applied = Applied()
        var freedKeys: Set<String> = []
        for id in try clearable(request, now: now).sorted() {
            let job = byID.removeValue(forKey: id)!
            if job.status == .pending { pendingCount -= 1 }
            logs[id] = nil
            pendingHooks.remove(id)
            if uniqueKeys[job.uniqueKey] == id {
                uniqueKeys[job.uniqueKey] = nil
                freedKeys.insert(job.uniqueKey)
            }
            applied.record(.removed, JobBoard.view(job, at: now))
        }
        finishOrder.trim(byID)
        if !freedKeys.isEmpty {
            // An older job with a freed key (one retried after a newer took the key) is its
            // newest again, as a snapshot restore would find.
            for job in byID.values where freedKeys.contains(job.uniqueKey) { indexUniqueKey(of: job) }
        }
        return applied
    }

    // MARK: - Shared steps

    /// Makes `job` its unique key's entry if it is the newest job with that key.
    mutating func indexUniqueKey(of job: RipJob) {
        guard !job.uniqueKey.isEmpty else { return }
        if let current = uniqueKeys[job.uniqueKey].flatMap({ byID[$0] }), current.id != job.id,
            (current.createdSeq, current.id) > (job.createdSeq, job.id)
        {
            return
        }
        uniqueKeys[job.uniqueKey] = job.id
    }

    /// The job a worker call names, if `token` is its live lease at `now`.
    private func leased(_ id: String, token: String, now: UnixMillis) throws -> RipJob {
        let job = try find(id)
        guard job.status == .running, !token.isEmpty, job.lease.token == token else {
            let why = job.status == .running ? "the job was leased again" : "the job is \(Self.view(job, at: now).status.word)"
            throw RipError.failedPrecondition("lease token is not current for \(id): \(why)")
        }
        guard job.lease.expiresAt.unixMillis > now else {
            throw RipError.failedPrecondition("lease of \(id) expired; the job goes back to the queue")
        }
        return job
    }

    /// A failed attempt: again at `retryAt`, or FAILED when it may not be retried (0), or DEAD
    /// when its retries are used up; cancelled if asked to be.
    private mutating func failAttempt(_ job: RipJob, error: String, retryAt: UnixMillis, now: UnixMillis) -> Applied {
        var job = job
        job.error = error
        Self.recordFailedAttempt(of: &job, now: now)
        if job.cancelRequested { return finish(job, as: .cancelled, now: now) }
        guard retryAt > 0 else { return finish(job, as: .failed, now: now) }
        guard job.attempt <= job.maxRetries else { return finish(job, as: .dead, now: now) }
        return requeue(job, at: retryAt, now: now)
    }

    /// Adds the running attempt, ended at `now` with the job's error, to its history.
    private static func recordFailedAttempt(of job: inout RipJob, now: UnixMillis) {
        job.failedAttempts.append(.with {
            $0.attempt = job.attempt
            $0.workerID = job.lease.workerID
            $0.startedAt = job.startedAt
            $0.endedAt = .init(unixMillis: now)
            $0.error = job.error
        })
        if job.failedAttempts.count > JobRules.maxFailedAttemptsKept { job.failedAttempts.removeFirst() }
    }

    private mutating func requeue(_ job: RipJob, at readyAt: UnixMillis, now: UnixMillis, isResult: Bool = true) -> Applied {
        var job = job
        _ = stopRunning(job)
        job.status = .pending
        job.clearLease()
        job.cancelRequested = false
        job.runAt = .init(unixMillis: readyAt)
        job.queueTicket = queue.enqueue(job)
        return store(job, .updated, now: now, readied: true, isResult: isResult)
    }

    /// Ends `job` as `status`, then tells the jobs waiting for it.
    private mutating func finish(_ job: RipJob, as status: RipJobStatus, now: UnixMillis) -> Applied {
        var applied = settle(job, as: status, now: now)
        applied.merge(releaseDependents(of: applied.job, now: now))
        return applied
    }

    private mutating func settle(_ job: RipJob, as status: RipJobStatus, now: UnixMillis, isResult: Bool = true) -> Applied {
        var job = job
        let readied = stopRunning(job)
        job.status = status
        job.clearLease()
        job.waitingFor = []
        job.completedAt = .init(unixMillis: now)
        if status == .cancelled && job.error.isEmpty { job.error = "cancelled" }
        armWebhook(of: &job, now: now)
        let kind: RipJobEvent.Kind =
            switch status {
            case .completed: .completed
            case .failed: .failed
            case .dead: .dead
            default: .cancelled
            }
        return store(job, kind, now: now, readied: readied, isResult: isResult)
    }

    /// A job that just finished at `now` with a webhook: its summary is to be delivered, first
    /// at once.
    private mutating func armWebhook(of job: inout RipJob, now: UnixMillis) {
        guard !job.webhook.isEmpty else { return }
        job.webhookDelivery = .with { [finish = job.webhookDelivery.finish &+ 1] in
            $0.state = .pending
            $0.finish = finish
            $0.nextAttemptAt = .init(unixMillis: now)
        }
        pendingHooks.insert(job.id)
    }

    /// One delivery attempt of a finished job's webhook: delivered, given up, or due again at
    /// its retry time. A void attempt (see `RipState.decideWebhookAttempt`) changes nothing.
    mutating func recordWebhookAttempt(_ attempt: RipWebhookAttempt, now: UnixMillis) -> Applied {
        guard var job = byID[attempt.jobID], job.webhookDelivery.state == .pending,
            job.webhookDelivery.finish == attempt.finish, job.webhookDelivery.attempts &+ 1 == attempt.attempt
        else { return Applied() }
        job.webhookDelivery.attempts = attempt.attempt
        job.webhookDelivery.lastStatus = attempt.status
        job.webhookDelivery.lastError = attempt.error
        if attempt.delivered || attempt.retryAtUnixMs == 0 {
            job.webhookDelivery.state = attempt.delivered ? .delivered : .failed
            job.webhookDelivery.endedAt = .init(unixMillis: now)
            job.webhookDelivery.clearNextAttemptAt()
            pendingHooks.remove(job.id)
        } else {
            job.webhookDelivery.nextAttemptAt = .init(unixMillis: attempt.retryAtUnixMs)
        }
        return store(job, .updated, now: now)
    }

    /// Takes `job` off the running set (nothing for one not running); returns whether jobs of
    /// its key that claims had passed over are back in line.
    private mutating func stopRunning(_ job: RipJob) -> Bool {
        guard running.remove(job.id) != nil else { return false }
        limits.stopped(job)
        return limits.room(for: job.limitKey) != nil && queue.unpark(job.limitKey)
    }

    mutating func setLimit(_ limit: RipLimit) throws -> Applied {
        let limit = try JobRules.checked(limit)
        guard limits.byKey[limit.key] != nil || limits.byKey.count < RipLimits.Job.maxLimitKeys else {
            throw RipError.resourceExhausted(
                "\(RipLimits.Job.maxLimitKeys) keys have limits, the most allowed; remove one first (`ripctl limit rm`)")
        }
        limits.byKey[limit.key] = limit
        var applied = Applied()
        applied.readiedJobs = queue.unpark(limit.key)
        return applied
    }

    mutating func removeLimit(_ key: String) throws -> Applied {
        guard limits.byKey.removeValue(forKey: key) != nil else {
            throw RipError.notFound("no limit for '\(key)'; `ripctl limit list` shows them")
        }
        var applied = Applied()
        applied.readiedJobs = queue.unpark(key)
        return applied
    }

    /// The waiting jobs that run after `finished` learn its outcome, in id order, and so on down
    /// each chain they end (a worklist, not recursion: a chain may be long). A job whose last
    /// one finished becomes pending; one whose `before` did not complete is cancelled, unless it
    /// runs after any outcome.
    private mutating func releaseDependents(of finished: RipJob, now: UnixMillis) -> Applied {
        var applied = Applied()
        var done: Deque<RipJob> = [finished]
        while let before = done.popFirst() {
            guard let waiting = dependents.removeValue(forKey: before.id) else { continue }
            for id in waiting.sorted() {
                guard var job = byID[id], job.status == .waiting else { continue }
                job.waitingFor.removeAll { $0 == before.id }
                if before.status != .completed && !job.afterAny {
                    job.error = Self.cancelReason(before)
                    let cancelled = settle(job, as: .cancelled, now: now, isResult: false)
                    applied.merge(cancelled)
                    done.append(byID[id]!)
                } else if job.waitingFor.isEmpty {
                    applied.merge(requeue(job, at: max(now, job.runAt.unixMillis), now: now, isResult: false))
                } else {
                    applied.merge(store(job, .updated, now: now, isResult: false))
                }
            }
        }
        return applied
    }

    private static func cancelReason(_ before: RipJob) -> String {
        "cancelled: job \(before.id), which it runs after, is \(before.status.word)"
    }

    private mutating func store(
        _ job: RipJob, _ kind: RipJobEvent.Kind, now: UnixMillis, readied: Bool = false,
        logs: [RipLogEntry] = [], isResult: Bool = true
    ) -> Applied {
        var job = job
        job.updatedAt = .init(unixMillis: now)
        let previous = byID.updateValue(job, forKey: job.id)
        if previous?.status == .pending { pendingCount -= 1 }
        if job.status == .pending { pendingCount += 1 }
        finishOrder.stored(job, over: previous, in: byID)
        var applied = Applied()
        applied.record(kind, Self.view(job, at: now), logs: logs, isResult: isResult)
        applied.readiedJobs = readied
        return applied
    }

    private static func sized(_ results: [RipJobResult]) -> [RipJobResult] {
        results.map { result in
            var result = result
            // An output kept as an artifact has its size from the worker; inline content, its own.
            if result.artifactID.isEmpty { result.size = UInt64(result.content.count) }
            return result
        }
    }

    /// A worker's progress report, with total and percentage derived from the job.
    private static func progress(_ report: RipJobProgress, of job: RipJob) throws -> RipJobProgress {
        guard report.currentURL.utf8.count <= RipLimits.maxURLBytes else {
            throw RipError.invalidArgument(
                "progress.current_url must be at most \(RipLimits.maxURLBytes) bytes, got \(report.currentURL.utf8.count)")
        }
        var progress = report
        progress.total = UInt32(job.urls.count)
        let done = UInt32(clamping: min(UInt64(progress.total), UInt64(progress.completed) + UInt64(progress.failed)))
        progress.percentage = progress.total == 0 ? 100 : Float(done) / Float(progress.total) * 100
        return progress
    }
}
