import Foundation
import RipBase
import RipCore
import RipProto
import Testing

/// The job queue as a state machine on a pinned clock: every mutation is recorded, so each
/// test can also check that replaying the records rebuilds the same jobs.
struct JobHarness {
    var state = RipState()
    var now: UnixMillis = 1_800_000_000_000
    var records: [RipMutation] = []
    /// What `ripd --webhook-allow` would allow.
    var webhooks = WebhookPolicy()
    private var counter = 0

    @discardableResult
    mutating func apply(_ build: (inout RipMutation) -> Void) throws -> Applied {
        var mutation = RipMutation()
        build(&mutation)
        mutation.timeUnixMs = now
        let applied = try state.apply(mutation)
        records.append(mutation)
        return applied
    }

    @discardableResult
    mutating func submit(
        _ name: String, priority: RipJobPriority = .medium, method: String = "css", delayMs: UInt64 = 0,
        retries: UInt32 = 3, timeout: UInt32 = 0, tags: [String] = [], urls: Int = 1, after: [String] = [],
        afterAny: Bool = false, rateKey: String = "", webhook: String = ""
    ) throws -> String {
        counter += 1
        let id = "job_\(counter)"
        var request = RipSubmitJobRequest.with {
                $0.urls = (0..<urls).map { "https://example.com/\(name)/\($0)" }
                $0.name = name
                $0.priority = priority
                $0.method = method
                $0.delayMs = delayMs
                $0.maxRetries = .init(retries)
                $0.timeoutSeconds = timeout
                $0.tags = tags
            }
        request.after = after
        request.afterAny = afterAny
        request.rateKey = rateKey
        request.webhook = webhook
        // As the SubmitJob handler does: validate, then decide, then apply.
        try JobRules.validate(request, webhooks: webhooks, now: now)
        guard case .create(let decided) = try state.decideSubmit(request, id: id, suffixes: PublicSuffixList(), now: now) else {
            throw RipError.internalError("a submit without a unique key was deduplicated")
        }
        try apply { $0.submitJob = decided.submitJob }
        return id
    }

    /// Submits with `key` as the daemon does; returns the id of the job created, or of the one
    /// holding the key.
    mutating func submitUnique(_ key: String, forMs window: UInt64 = 0) throws -> (id: String, deduplicated: Bool) {
        counter += 1
        let request = RipSubmitJobRequest.with {
            $0.urls = ["https://example.com/\(key)"]
            $0.method = "css"
            $0.uniqueKey = key
            $0.uniqueForMs = window
        }
        try JobRules.validate(request, webhooks: webhooks, now: now)
        switch try state.decideSubmit(request, id: "job_\(counter)", suffixes: PublicSuffixList(), now: now) {
        case .existing(let job):
            return (job.id, job.deduplicated)
        case .create(let decided):
            try apply { $0.submitJob = decided.submitJob }
            return (decided.submitJob.id, false)
        }
    }

    /// Claims like the daemon does, recording the claim's mutation; returns (id, token) pairs.
    mutating func claim(methods: [String] = [], max: UInt32 = 1, leaseMs: UInt32 = 10_000) throws -> [(id: String, token: String)] {
        let terms = try ClaimTerms(.with {
            $0.workerID = "w"
            $0.methods = methods
            $0.maxJobs = max
            $0.leaseMs = leaseMs
        })
        var tokens = counter
        let result = try state.claim(terms, now: now) {
            tokens += 1
            return "token\(tokens)"
        }
        counter = tokens
        if let mutation = result.mutation { records.append(mutation) }
        return result.response.jobs.map { ($0.job.id, $0.token) }
    }

    func job(_ id: String) throws -> RipJob { try state.jobs.view(id, at: now) }

    /// The jobs a fresh state holds after replaying every record.
    func replayed() throws -> [RipJob] {
        var fresh = RipState()
        for record in records { _ = try fresh.apply(record) }
        return fresh.snapshot(lastSequence: 0).jobs
    }
}

@Suite("Job queue")
struct JobBoardTests {
    @Test func claimsTakeHigherPrioritiesFirstAndFirstComeFirstServedWithin() throws {
        var h = JobHarness()
        let low = try h.submit("low", priority: .low)
        let first = try h.submit("first")
        h.now += 1
        let second = try h.submit("second")
        let critical = try h.submit("critical", priority: .critical)
        let other = try h.submit("other", method: "llm")
        #expect(try h.claim(methods: ["css"], max: 10).map(\.id) == [critical, first, second, low])
        #expect(try h.claim(methods: ["css"]).isEmpty)
        #expect(try h.claim().map(\.id) == [other])
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }

    @Test func scheduledJobsWaitForTheirStartTime() throws {
        var h = JobHarness()
        let later = try h.submit("later", delayMs: 5000)
        #expect(try h.job(later).status == .scheduled)
        #expect(try h.claim().isEmpty)
        h.now += 5000
        #expect(try h.job(later).status == .pending)
        #expect(try h.claim().map(\.id) == [later])
    }

    @Test func anExpiredLeaseRequeuesTheJobKeepingItsCheckpoint() throws {
        var h = JobHarness()
        let id = try h.submit("crash")
        let lease = try #require(try h.claim(leaseMs: 10_000).first)
        try h.apply { $0.jobCheckpoint = .with { $0.jobID = id; $0.token = lease.token; $0.data = Data("page=3".utf8) } }
        h.now += 5000
        try h.apply { $0.jobHeartbeat = .with { $0.jobID = id; $0.token = lease.token } }
        h.now += 9_999
        #expect(h.state.jobs.overdue(at: h.now).isEmpty, "the heartbeat extended the lease")
        h.now += 1
        let overdue = h.state.jobs.overdue(at: h.now)
        #expect(overdue.map(\.job.id) == [id] && overdue.first?.timedOut == false)
        try h.apply { $0.jobExpiry = .with { $0.entries = [.with { $0.jobID = id; $0.token = lease.token }] } }
        let job = try h.job(id)
        #expect(job.status == .pending && job.attempt == 1 && job.checkpoint.data == Data("page=3".utf8))
        #expect(job.error.contains("lease of w expired"))
        let again = try #require(try h.claim().first)
        #expect(try h.job(id).attempt == 2 && again.token != lease.token)
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }

    @Test func aStaleTokenCannotFinishAnotherAttempt() throws {
        var h = JobHarness()
        let id = try h.submit("fenced")
        let old = try #require(try h.claim(leaseMs: 1000).first)
        h.now += 1000
        #expect(throws: RipError.self) { try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = old.token } } }
        try h.apply { $0.jobExpiry = .with { $0.entries = [.with { $0.jobID = id; $0.token = old.token }] } }
        let new = try #require(try h.claim().first)
        for token in [old.token, "", "forged"] {
            let error = try #require(throws: RipError.self) {
                try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = token } }
            }
            #expect(error.code == .failedPrecondition)
        }
        try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = new.token; $0.summary = "done" } }
        #expect(try h.job(id).status == .completed)
        // A sweep that looked before the new lease is void for it.
        try h.apply { $0.jobExpiry = .with { $0.entries = [.with { $0.jobID = id; $0.token = old.token }] } }
        #expect(try h.job(id).status == .completed)
    }

    @Test func retryableFailuresBackOffUntilRetriesRunOut() throws {
        var h = JobHarness()
        let id = try h.submit("flaky", retries: 1)
        let first = try #require(try h.claim().first)
        var retryAt = h.now + 2000
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = first.token; $0.error = "503"; $0.retryable = true }; $0.retryAtUnixMs = retryAt } }
        #expect(try h.job(id).status == .scheduled)
        #expect(try h.claim().isEmpty)
        h.now += 2000
        let second = try #require(try h.claim().first)
        retryAt = h.now + 4000
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = second.token; $0.error = "503 again"; $0.retryable = true }; $0.retryAtUnixMs = retryAt } }
        let job = try h.job(id)
        #expect(job.status == .dead && job.attempt == 2 && job.error == "503 again")
        #expect(job.failedAttempts.map(\.attempt) == [1, 2] && job.failedAttempts.map(\.error) == ["503", "503 again"])
        #expect(job.failedAttempts.last?.endedAt.unixMillis == h.now && job.failedAttempts.last?.workerID == "w")
        // A failure that is not retryable ends the job at once, FAILED rather than dead.
        let other = try h.submit("broken")
        let lease = try #require(try h.claim().first)
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = other; $0.token = lease.token; $0.error = "bad"; $0.retryable = false } } }
        #expect(try h.job(other).status == .failed)
    }

    @Test func attemptsThatRunOverTheirTimeoutFail() throws {
        var h = JobHarness()
        let id = try h.submit("slow", retries: 0, timeout: 2)
        let lease = try #require(try h.claim(leaseMs: 60_000).first)
        h.now += 2000
        #expect(h.state.jobs.overdue(at: h.now).first?.timedOut == true)
        let retryAt = h.now + 1
        try h.apply { $0.jobExpiry = .with { $0.entries = [.with { $0.jobID = id; $0.token = lease.token; $0.timedOut = true; $0.retryAtUnixMs = retryAt }] } }
        let job = try h.job(id)
        #expect(job.status == .dead && job.error == "attempt 1 timed out after 2 s")
    }

    @Test("dead jobs: retries used up by failures or lost leases; kept apart from the usual clear; kicked back; removed one by one or all")
    func deadLetterSet() throws {
        var h = JobHarness()
        let lost = try h.submit("lost", retries: 0)
        let lease = try #require(try h.claim(leaseMs: 1000).first)
        h.now += 1000
        try h.apply { $0.jobExpiry = .with { $0.entries = [.with { $0.jobID = lost; $0.token = lease.token }] } }
        var job = try h.job(lost)
        #expect(job.status == .dead && job.failedAttempts.map(\.error) == ["lease of w expired on attempt 1, the last allowed"])
        let stats = try h.state.jobs.stats(.init(), now: h.now).total
        #expect(stats.dead == 1 && stats.failed == 0 && stats.successRate == 0)

        // The usual clear leaves dead jobs; asking for them (or naming one) removes them.
        #expect(try h.apply { $0.jobsClear = .init() }.jobs.isEmpty)
        #expect(!h.state.jobs.hasClearable(.init(), now: h.now) && h.state.jobs.hasClearable(.with { $0.dead = true }, now: h.now))

        // Kicked: pending again with fresh attempts; its history stays.
        try h.apply { $0.retryJob = .with { $0.jobID = lost; $0.maxRetries = .init(1) } }
        job = try h.job(lost)
        #expect(job.status == .pending && job.attempt == 0 && job.maxRetries == 1 && job.failedAttempts.count == 1)
        for (attempt, error) in [(1, "x"), (2, "y")] {
            let lease = try #require(try h.claim().first { $0.id == lost }, "attempt \(attempt)")
            let at = h.now
            try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = lost; $0.token = lease.token; $0.error = error; $0.retryable = true }; $0.retryAtUnixMs = at } }
        }
        job = try h.job(lost)
        #expect(job.status == .dead && job.failedAttempts.map(\.error) == ["lease of w expired on attempt 1, the last allowed", "x", "y"])

        let running = try h.submit("running")
        _ = try h.claim()
        let refused = try #require(throws: RipError.self) { try h.apply { $0.jobsClear = .with { $0.jobID = running } } }
        #expect(refused.code == .failedPrecondition)
        #expect(try #require(throws: RipError.self) { try h.apply { $0.jobsClear = .with { $0.jobID = "job_none" } } }.code == .notFound)
        #expect(try h.apply { $0.jobsClear = .with { $0.jobID = lost } }.jobs.map(\.id) == [lost])
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }

    @Test func cancelAsksARunningJobToStopUnlessForced() throws {
        var h = JobHarness()
        let running = try h.submit("running", tags: ["exp"])
        let lease = try #require(try h.claim().first)
        let pending = try h.submit("pending", tags: ["exp"])
        let cancelled = try h.apply { $0.cancelJobs = .with { $0.tag = "exp" } }
        #expect(cancelled.jobs.map(\.id) == [running, pending])
        #expect(try h.job(pending).status == .cancelled)
        #expect(try h.job(running).status == .running && h.job(running).cancelRequested)
        let beat = try h.apply { $0.jobHeartbeat = .with { $0.jobID = running; $0.token = lease.token } }
        #expect(beat.job.cancelRequested)
        try h.apply { $0.releaseJob = .with { $0.jobID = running; $0.token = lease.token } }
        #expect(try h.job(running).status == .cancelled)

        let forced = try h.submit("forced")
        let forcedLease = try #require(try h.claim().first)
        try h.apply { $0.cancelJobs = .with { $0.jobID = forced; $0.force = true } }
        #expect(try h.job(forced).status == .cancelled)
        #expect(throws: RipError.self) { try h.apply { $0.jobHeartbeat = .with { $0.jobID = forced; $0.token = forcedLease.token } } }
        #expect(throws: RipError.self) { try h.apply { $0.cancelJobs = .with { $0.jobID = forced } } }
    }

    @Test func pausedJobsAreNotClaimedUntilResumed() throws {
        var h = JobHarness()
        let id = try h.submit("p")
        try h.apply { $0.pauseJob = .with { $0.jobID = id } }
        #expect(try h.job(id).status == .paused)
        #expect(try h.claim().isEmpty)
        try h.apply { $0.resumeJob = .with { $0.jobID = id } }
        let lease = try #require(try h.claim().first)
        // Pausing a running job revokes its lease.
        try h.apply { $0.pauseJob = .with { $0.jobID = id } }
        #expect(throws: RipError.self) { try h.apply { $0.jobHeartbeat = .with { $0.jobID = id; $0.token = lease.token } } }
        try h.apply { $0.resumeJob = .with { $0.jobID = id } }
        #expect(try h.claim().map(\.id) == [id])
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }

    @Test func retryRunsAFailedJobFromTheStart() throws {
        var h = JobHarness()
        let id = try h.submit("r", retries: 0)
        let lease = try #require(try h.claim().first)
        try h.apply { $0.jobCheckpoint = .with { $0.jobID = id; $0.token = lease.token; $0.data = Data("x".utf8) } }
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = lease.token; $0.error = "e" } } }
        #expect(throws: RipError.self) { try h.apply { $0.resumeJob = .with { $0.jobID = id } } }
        try h.apply { $0.retryJob = .with { $0.jobID = id; $0.maxRetries = .init(5) } }
        let job = try h.job(id)
        #expect(job.status == .pending && job.attempt == 0 && job.maxRetries == 5 && !job.hasCheckpoint && job.error.isEmpty)
    }

    @Test func finishedJobsAreClearedAfterTheRetention() throws {
        var h = JobHarness()
        let old = try h.submit("old")
        let lease = try #require(try h.claim().first)
        try h.apply { $0.completeJob = .with { $0.jobID = old; $0.token = lease.token } }
        h.now += 3_600_000
        let fresh = try h.submit("fresh")
        let freshLease = try #require(try h.claim().first)
        try h.apply { $0.completeJob = .with { $0.jobID = fresh; $0.token = freshLease.token } }
        let waiting = try h.submit("waiting")
        #expect(h.state.jobs.hasClearable(.with { $0.olderThanMs = 3_600_000 }, now: h.now))
        let removed = try h.apply { $0.jobsClear = .with { $0.olderThanMs = 3_600_000 } }
        #expect(removed.jobs.map(\.id) == [old])
        #expect(h.state.jobs.count == 2 && (try? h.job(waiting)) != nil)
    }

    @Test func logsAreCappedOldestFirstAndCounted() throws {
        var h = JobHarness()
        let id = try h.submit("l")
        let lease = try #require(try h.claim().first)
        for batch in 0..<3 {
            try h.apply {
                $0.jobLogs = .with {
                    $0.maxLogLines = 5
                    $0.request = .with {
                        $0.jobID = id
                        $0.token = lease.token
                        $0.entries = (0..<3).map { n in .with { $0.message = "line \(batch * 3 + n)"; $0.level = n == 2 ? .error : .info } }
                    }
                }
            }
        }
        let logs = try h.state.jobs.logs(.with { $0.jobID = id })
        #expect(logs.entries.map(\.message) == ["line 4", "line 5", "line 6", "line 7", "line 8"])
        #expect(logs.entries.map(\.seq) == [5, 6, 7, 8, 9] && logs.droppedLogLines == 4)
        #expect(try h.state.jobs.logs(.with { $0.jobID = id; $0.minLevel = .error }).entries.map(\.message) == ["line 5", "line 8"])
        #expect(try h.state.jobs.logs(.with { $0.jobID = id; $0.lines = 2 }).entries.map(\.message) == ["line 7", "line 8"])
        #expect(h.state.jobs.logs(of: id, from: 8).map(\.seq) == [8, 9])
        #expect(try h.job(id).droppedLogLines == 4)
    }

    @Test func statsCountStatusesSuccessRateAndDurations() throws {
        var h = JobHarness()
        for (index, outcome) in ["ok", "ok", "ok", "fail"].enumerated() {
            let id = try h.submit("s\(index)", method: index == 0 ? "llm" : "css")
            let lease = try #require(try h.claim().first)
            h.now += Int64(1000 * (index + 1))
            if outcome == "ok" {
                try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = lease.token } }
            } else {
                try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = lease.token; $0.error = "x" } } }
            }
        }
        try h.submit("queued")
        let stats = try h.state.jobs.stats(.with { $0.groupBy = "method" }, now: h.now)
        #expect(stats.total.jobs == 5 && stats.total.completed == 3 && stats.total.failed == 1 && stats.total.pending == 1)
        #expect(stats.total.successRate == 0.75)
        #expect(stats.total.p50DurationMs == 2000 && stats.total.p95DurationMs == 3000)
        #expect(stats.groups.map(\.key) == ["css", "llm"])
        #expect(throws: RipError.self) { try h.state.jobs.stats(.with { $0.groupBy = "color" }, now: h.now) }
    }

    @Test func aSnapshotRestoresJobsLogsAndTheQueueOrder() throws {
        var h = JobHarness()
        let a = try h.submit("a")
        let b = try h.submit("b", priority: .high)
        let c = try h.submit("c")
        let lease = try #require(try h.claim().first)
        #expect(lease.id == b)
        try h.apply { $0.jobLogs = .with { $0.maxLogLines = 10; $0.request = .with { $0.jobID = b; $0.token = lease.token; $0.entries = [.with { $0.message = "hi" }] } } }
        let snapshot = h.state.snapshot(lastSequence: 7)
        var restored = RipState(snapshot: try RipSnapshot(serializedBytes: try snapshot.serializedBytes() as Data))
        #expect(restored.snapshot(lastSequence: 7) == snapshot)
        #expect(restored.jobs.overdue(at: h.now + 10_000).map(\.job.id) == [b])
        let terms = try ClaimTerms(.with { $0.workerID = "w"; $0.maxJobs = 5 })
        #expect(try restored.claim(terms, now: h.now) { "t" }.response.jobs.map(\.job.id) == [a, c])
    }

    @Test func listingsOrderByCreationWithinOneMillisecondAndAcrossASnapshot() throws {
        var h = JobHarness()
        let now = h.now
        // Ids that sort against creation order, all made in one millisecond.
        var ids: [String] = []
        for n in 0..<5 {
            try h.apply { $0.submitJob = JobRules.makeJob(.with { $0.urls = ["https://example.com/\(n)"] }, id: "job_\(9 - n)", sessionID: "", now: now) }
            ids.append("job_\(9 - n)")
        }
        // A refused creation takes no sequence number (a replay must give the same ones).
        #expect(throws: RipError.self) { try h.apply { $0.submitJob = JobRules.makeJob(.with { $0.urls = ["https://example.com/"] }, id: ids[0], sessionID: "", now: now) } }
        #expect(try h.state.jobs.list(.init(), now: now).jobs.map(\.id) == ids.reversed())
        var restored = RipState(snapshot: h.state.snapshot(lastSequence: 5))
        _ = try restored.apply(.with { $0.timeUnixMs = now; $0.submitJob = JobRules.makeJob(.with { $0.urls = ["https://example.com/"] }, id: "job_0", sessionID: "", now: now) })
        #expect(try restored.jobs.list(.with { $0.limit = 2 }, now: now).jobs.map(\.id) == ["job_0", ids[4]])
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
        #expect(try h.replayed().map(\.createdSeq).sorted() == [1, 2, 3, 4, 5])
    }

    @Test("failures and expired leases are decided with the backoff of the job's attempt; nothing overdue decides nothing")
    func decidedRetries() throws {
        var h = JobHarness()
        var backoff = Backoff()
        backoff.baseMs = 1000
        let id = try h.submit("flaky", timeout: 1)
        let first = try #require(try h.claim(leaseMs: 60_000).first)
        let failed = try h.state.decideFail(
            .with { $0.jobID = id; $0.token = first.token; $0.error = "503"; $0.retryable = true }, backoff: backoff, now: h.now)
        // Attempt 1 waits half the base plus up to half again.
        #expect((h.now + 500...h.now + 1000).contains(failed.failJob.retryAtUnixMs))
        let final = try h.state.decideFail(.with { $0.jobID = id; $0.token = first.token; $0.retryable = false }, backoff: backoff, now: h.now)
        #expect(final.failJob.retryAtUnixMs == 0)
        #expect(throws: RipError.self) { try h.state.decideFail(.with { $0.jobID = "job_none" }, backoff: backoff, now: h.now) }

        #expect(h.state.decideExpiry(backoff: backoff, now: h.now) == nil)
        h.now += 1000  // the one-second timeout passed
        let expiry = try #require(h.state.decideExpiry(backoff: backoff, now: h.now))
        let entry = try #require(expiry.jobExpiry.entries.first)
        #expect(entry.jobID == id && entry.token == first.token && entry.timedOut)
        #expect((h.now + 500...h.now + 1000).contains(entry.retryAtUnixMs))
        try h.apply { $0.jobExpiry = expiry.jobExpiry }
        #expect(try h.job(id).status == .scheduled && h.state.decideExpiry(backoff: backoff, now: h.now) == nil)
    }

    @Test("a unique key returns the job holding it, while unfinished and for its window after; replay and snapshots agree")
    func uniqueKeys() throws {
        var h = JobHarness()
        let first = try h.submitUnique("k", forMs: 60_000)
        #expect(!first.deduplicated)
        let records = h.records.count
        let again = try h.submitUnique("k", forMs: 0)
        #expect(again.id == first.id && again.deduplicated && h.records.count == records, "a deduplicated submit records nothing")
        let lease = try #require(try h.claim().first)
        #expect(try h.submitUnique("k").id == first.id, "a running job holds its key")
        try h.apply { $0.completeJob = .with { $0.jobID = first.id; $0.token = lease.token } }
        h.now += 59_999
        #expect(try h.submitUnique("k").deduplicated, "held for unique_for after it finished")
        #expect(try !h.submitUnique("other").deduplicated, "keys are independent")
        h.now += 1
        let second = try h.submitUnique("k")
        #expect(!second.deduplicated && second.id != first.id, "the window ran out")
        #expect(try h.submitUnique("k").id == second.id)

        // Without a window the key is free once the job finished, however it finished.
        let cancelled = try h.submitUnique("c")
        try h.apply { $0.cancelJobs = .with { $0.jobID = cancelled.id } }
        #expect(try !h.submitUnique("c").deduplicated)

        // Restoring a snapshot finds the same holders; so does replaying the records.
        let snapshot = h.state.snapshot(lastSequence: 1)
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: try snapshot.serializedBytes() as Data))
        for key in ["k", "c", "other"] {
            #expect(restored.jobs.holder(ofUniqueKey: key, at: h.now)?.id == h.state.jobs.holder(ofUniqueKey: key, at: h.now)?.id)
        }
        #expect(try h.replayed() == snapshot.jobs)

        // Removing the holder frees the key (the finished first job's window is long over).
        let secondLease = try #require(try h.claim(max: 10).first { $0.id == second.id })
        try h.apply { $0.completeJob = .with { $0.jobID = second.id; $0.token = secondLease.token } }
        try h.apply { $0.jobsClear = .with { $0.completed = true } }
        #expect(h.state.jobs.holder(ofUniqueKey: "k", at: h.now) == nil)
        #expect(try !h.submitUnique("k").deduplicated)
    }

    @Test("dependencies: a chain runs in order; a failure cancels what follows, down the chain; after_any runs regardless")
    func dependencies() throws {
        var h = JobHarness()
        let a = try h.submit("a")
        let b = try h.submit("b", after: [a])
        let c = try h.submit("c", after: [b, b])
        let any = try h.submit("any", after: [a, b], afterAny: true)
        #expect(try h.job(b).status == .waiting && h.job(b).waitingFor == [a])
        #expect(try h.job(c).after == [b], "a job named twice counts once")
        #expect(try h.claim(max: 10).map(\.id) == [a], "waiting jobs are not claimed")

        func complete(_ id: String) throws {
            let token = try h.job(id).lease.token
            try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = token } }
        }
        let tokenA = try h.job(a).lease.token
        let done = try h.apply { $0.completeJob = .with { $0.jobID = a; $0.token = tokenA } }
        #expect(done.job.id == a && done.readiedJobs, "the reply is the completed job; the released one readies the queue")
        #expect(done.jobEvents.contains { $0.job.id == b && $0.job.status == .pending })
        #expect(try h.job(b).status == .pending && h.job(c).status == .waiting && h.job(any).waitingFor == [b])
        #expect(try h.claim(max: 10).map(\.id) == [b])
        try complete(b)
        #expect(try h.claim(max: 10).map(\.id) == [c, any])

        // A failure cancels the chain behind it, with the reason; after_any runs anyway.
        let x = try h.submit("x")
        let y = try h.submit("y", after: [x])
        let z = try h.submit("z", after: [y])
        let w = try h.submit("w", after: [x], afterAny: true)
        let lease = try #require(try h.claim().first { $0.id == x })
        let failed = try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = x; $0.token = lease.token; $0.error = "boom" } } }
        #expect(failed.jobs.map(\.id) == [x])
        #expect(try h.job(y).status == .cancelled && h.job(y).error == "cancelled: job \(x), which it runs after, is failed")
        #expect(try h.job(z).status == .cancelled && h.job(z).error == "cancelled: job \(y), which it runs after, is cancelled")
        #expect(try h.job(w).status == .pending)

        // Naming a job that finished badly cancels at once; one that completed does not wait.
        let late = try h.submit("late", after: [x])
        let ready = try h.submit("ready", after: [a])
        #expect(try h.job(late).status == .cancelled && h.job(ready).status == .pending)
        #expect(try #require(throws: RipError.self) { try h.submit("orphan", after: ["job_none"]) }.code == .notFound)

        // Cancelling a tag that holds a job and its dependent cancels each once.
        let p = try h.submit("p", tags: ["t"])
        let q = try h.submit("q", tags: ["t"], after: [p])
        let cancelled = try h.apply { $0.cancelJobs = .with { $0.tag = "t" } }
        #expect(try cancelled.jobs.map(\.id) == [p] && h.job(q).status == .cancelled)

        let snapshot = h.state.snapshot(lastSequence: 1)
        #expect(try h.replayed() == snapshot.jobs)
        let waiting = try h.submit("still-waiting", after: [c])
        var restored = RipState(snapshot: try RipSnapshot(serializedBytes: try h.state.snapshot(lastSequence: 1).serializedBytes() as Data))
        let token = try h.job(c).lease.token
        let released = try restored.apply(.with { $0.timeUnixMs = h.now; $0.completeJob = .with { $0.jobID = c; $0.token = token } })
        #expect(released.jobEvents.contains { $0.job.id == waiting && $0.job.status == .pending }, "a restored state knows who waits")
    }

    @Test("a running job's health: heartbeat age against half its lease, error rate, the worker's own health metric")
    func health() throws {
        var h = JobHarness()
        let id = try h.submit("watched", urls: 10)
        let lease = try #require(try h.claim(leaseMs: 60_000).first)
        var health = try h.job(id).health
        #expect(health.score == 1 && health.healthy && health.heartbeatAgeMs == 0 && health.leaseRemainingMs == 60_000)
        h.now += 50_000
        try h.apply {
            $0.jobHeartbeat = .with {
                $0.jobID = id; $0.token = lease.token
                $0.progress = .with { $0.completed = 6; $0.failed = 2 }
            }
        }
        h.now += 15_000
        health = try h.job(id).health
        #expect(health.heartbeatAgeMs == 15_000 && health.leaseRemainingMs == 45_000)
        #expect(abs(health.urlsPerMinute - 8 / (65.0 / 60)) < 1e-9 && health.errorRate == 0.25)
        #expect(abs(health.score - (0.6 * 0.5 + 0.4 * 0.75)) < 1e-9 && health.healthy)
        #expect(try h.state.jobs.list(.with { $0.unhealthy = true }, now: h.now).jobs.isEmpty)
        h.now += 15_000  // half the lease without a heartbeat
        health = try h.job(id).health
        #expect(!health.healthy && abs(health.score - 0.3) < 1e-9)
        #expect(try h.state.jobs.list(.with { $0.unhealthy = true }, now: h.now).jobs.map(\.id) == [id])
        try h.apply { $0.jobHeartbeat = .with { $0.jobID = id; $0.token = lease.token; $0.metrics = ["health": 0.2] } }
        #expect(try h.job(id).health.score == 0.2 && !h.job(id).health.healthy, "the worker's own health caps the score")
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs && h.replayed().allSatisfy { !$0.hasHealth })
    }

    @Test func submitsAreValidated() throws {
        let h = JobHarness()
        let bad: [RipSubmitJobRequest] = [
            .with { $0.urls = [] },
            .with { $0.urls = ["ftp://example.com"] },
            .with { $0.urls = ["https://example.com"]; $0.method = "no spaces" },
            .with { $0.urls = ["https://example.com"]; $0.configJson = "[1]" },
            .with { $0.urls = ["https://example.com"]; $0.maxRetries = .init(1000) },
            .with { $0.urls = ["https://example.com"]; $0.delayMs = 1; $0.runAt = .init(unixMillis: h.now) },
            .with { $0.urls = ["https://example.com"]; $0.uniqueKey = String(repeating: "k", count: 257) },
            .with { $0.urls = ["https://example.com"]; $0.uniqueKey = "a\u{0}b" },
            .with { $0.urls = ["https://example.com"]; $0.uniqueKey = "k"; $0.uniqueForMs = RipLimits.Job.maxUniqueForMs + 1 },
            .with { $0.urls = ["https://example.com"]; $0.uniqueKey = "k"; $0.uniqueForMs = .max },
            .with { $0.urls = ["https://example.com"]; $0.uniqueForMs = 1000 },
            .with { $0.urls = ["https://example.com"]; $0.after = Array(repeating: "job_a", count: 101) },
            .with { $0.urls = ["https://example.com"]; $0.after = [""] },
            .with { $0.urls = ["https://example.com"]; $0.afterAny = true },
            .with { $0.urls = ["https://example.com"]; $0.rateKey = String(repeating: "r", count: 257) },
            .with { $0.urls = ["https://example.com"]; $0.rateKey = "a\nb" },
        ]
        for request in bad {
            let error = try #require(throws: RipError.self) { try JobRules.validate(request, webhooks: h.webhooks, now: h.now) }
            #expect(error.code == .invalidArgument)
        }
        let job = JobRules.makeJob(.with { $0.urls = ["https://example.com"] }, id: "job_x", sessionID: "", now: h.now)
        #expect(job.method == "auto" && job.priority == .medium && job.maxRetries == 3 && job.maxConcurrent == 5 && job.configJson == "{}")
        #expect(throws: RipError.self) { try ClaimTerms(.with { $0.workerID = "" }) }
        #expect(throws: RipError.self) { try ClaimTerms(.with { $0.workerID = "w"; $0.leaseMs = 10 }) }
    }

    @Test("the URL rule, edge by edge: these verdicts are in recorded logs, so they must never change")
    func urlRule() throws {
        let accepted = [
            "http://a", "HTTPS://A/b", "hTtP://a?q#f", "https://user:pw@host/", "http://user@/",
            "http://a@@b", "https://[::1]:8080/", "http://a:80", "http://é.example/ü",
        ]
        let refused = [
            "", "http://", "https://", "http:/a", "ftp://a", "http://@", "http://@@/x", "http://:80",
            "http://a@:80", "http://a b", "http://a\u{7F}", "http://a/\u{1}", " http://a", "https//a",
            "http://" + String(repeating: "a", count: RipLimits.maxURLBytes),
        ]
        func verdict(_ url: String) -> Bool {
            (try? JobRules.validate(.with { $0.urls = [url] }, webhooks: WebhookPolicy(), now: 0)) != nil
        }
        for url in accepted { #expect(verdict(url), "\(url)") }
        for url in refused { #expect(!verdict(url), "\(url)") }
    }
}

/// Clearing by age reads the order jobs finished in (`FinishOrder`); it must take exactly what
/// a scan of every job would, whatever happened in between.
@Suite("Clearing finished jobs by age")
struct FinishOrderTests {
    /// What a scan of every job takes for `request` at `now` (the rule of ClearJobs).
    static func scanned(_ request: RipClearJobsRequest, in state: RipState, now: UnixMillis) -> Set<String> {
        let usual = !request.completed && !request.failed && !request.cancelled && !request.dead
        let cutoff = now - UnixMillis(clamping: request.olderThanMs)
        return Set(state.snapshot(lastSequence: 0).jobs.filter { job in
            let taken = switch job.status {
            case .completed: usual || request.completed
            case .failed: usual || request.failed
            case .cancelled: usual || request.cancelled
            case .dead: request.dead
            default: false
            }
            return taken && job.completedAt.unixMillis <= cutoff
        }.map(\.id))
    }

    static func request(_ random: inout SplitMix) -> RipClearJobsRequest {
        .with {
            $0.completed = random.next() % 3 == 0
            $0.failed = random.next() % 3 == 0
            $0.cancelled = random.next() % 3 == 0
            $0.dead = random.next() % 3 == 0
            $0.olderThanMs = random.next() % 4 == 0 ? 0 : random.next() % 20_000
        }
    }

    @Test(
        "finishing, finishing again in the same millisecond, retrying, cancelling, dying and clearing, with the clock going back at times: the check and the clear match a scan, after replay and after a snapshot too",
        arguments: [1, 2, 3, 4] as [UInt64])
    func matchesAScan(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        var h = JobHarness()
        for step in 0..<600 {
            switch random.next() % 8 {
            case 0, 1:
                let id = try h.submit("c\(step)", retries: 0)
                let lease = try #require(try h.claim().first { $0.id == id })
                try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = lease.token } }
            case 2:
                let id = try h.submit("f\(step)", retries: 0)
                let lease = try #require(try h.claim().first { $0.id == id })
                let retryable = random.next() % 2 == 0  // retryable with no retries left: dead
                try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = lease.token; $0.error = "e"; $0.retryable = retryable } } }
            case 3:
                _ = try h.submit("x\(step)", tags: ["x\(step)"])
                try h.apply { $0.cancelJobs = .with { $0.tag = "x\(step)" } }
            case 4:
                // A job that did not succeed run again, and finished again at once (the same
                // millisecond) or later.
                let finished = h.state.snapshot(lastSequence: 0).jobs.filter { [.failed, .cancelled, .dead].contains($0.status) }
                guard !finished.isEmpty else { continue }
                let id = finished[Int(random.next() % UInt64(finished.count))].id
                try h.apply { $0.retryJob = .with { $0.jobID = id } }
                if random.next() % 2 == 0 { h.now += Int64(random.next() % 3) }
                let lease = try #require(try h.claim().first { $0.id == id })
                try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = lease.token } }
            case 5:
                let request = Self.request(&random)
                let expected = Self.scanned(request, in: h.state, now: h.now)
                #expect(Set(try h.apply { $0.jobsClear = request }.jobs.map(\.id)) == expected, "seed \(seed), step \(step)")
            case 6:
                h.now -= Int64(random.next() % 3_000)  // the clock went back
            default:
                h.now += Int64(random.next() % 5_000)
            }
            for _ in 0..<3 {
                let request = Self.request(&random)
                #expect(
                    h.state.jobs.hasClearable(request, now: h.now) == !Self.scanned(request, in: h.state, now: h.now).isEmpty,
                    "seed \(seed), step \(step), \(request)")
            }
        }
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
        // A state restored from a snapshot orders its finished jobs the same way.
        var restored = RipState(snapshot: try RipSnapshot(serializedBytes: try h.state.snapshot(lastSequence: 1).serializedBytes() as Data))
        for _ in 0..<20 {
            let request = Self.request(&random)
            let expected = Self.scanned(request, in: restored, now: h.now)
            #expect(restored.jobs.hasClearable(request, now: h.now) == !expected.isEmpty)
            var mutation = RipMutation.with { $0.jobsClear = request }
            mutation.timeUnixMs = h.now
            #expect(Set(try restored.apply(mutation).jobs.map(\.id)) == expected)
        }
    }
}

extension FinishOrderTests {
    @Test("a job failed and run again 1,500 times behind an older finished job: the order compacts and still answers as a scan")
    func compactsStaleEntries() throws {
        var h = JobHarness()
        let old = try h.submit("old", retries: 0)
        let oldLease = try #require(try h.claim().first)
        try h.apply { $0.completeJob = .with { $0.jobID = old; $0.token = oldLease.token } }
        let again = try h.submit("again", retries: 0)
        for _ in 0..<1_500 {
            h.now += 1
            let lease = try #require(try h.claim().first { $0.id == again })
            try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = again; $0.token = lease.token; $0.error = "e" } } }
            try h.apply { $0.retryJob = .with { $0.jobID = again } }
        }
        let lease = try #require(try h.claim().first { $0.id == again })
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = again; $0.token = lease.token; $0.error = "e" } } }
        let latest = try h.job(again).completedAt.unixMillis
        #expect(h.state.jobs.hasClearable(.with { $0.olderThanMs = UInt64(h.now - latest) }, now: h.now))
        #expect(!h.state.jobs.hasClearable(.with { $0.olderThanMs = UInt64(h.now - latest) + 1_500 + 1 }, now: h.now))
        #expect(Set(try h.apply { $0.jobsClear = .with { $0.olderThanMs = 1 } }.jobs.map(\.id)) == [old])
        #expect(Set(try h.apply { $0.jobsClear = .init() }.jobs.map(\.id)) == [again])
        #expect(!h.state.jobs.hasClearable(.init(), now: h.now))
    }
}

@Suite("Job counts")
struct JobCountTests {
    /// What a scan of every job counts: all, pending (ready or scheduled), running.
    static func scanned(_ state: RipState) -> [Int] {
        let jobs = state.snapshot(lastSequence: 0).jobs
        return [jobs.count, jobs.count { $0.status == .pending }, jobs.count { $0.status == .running }]
    }

    @Test(
        "the counts Info reports are kept as jobs are submitted (ready, delayed, after others), claimed, finished, retried with backoff, cancelled, run again and cleared: they match a scan, after a snapshot too",
        arguments: [1, 2, 3] as [UInt64])
    func countsMatchAScan(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        var h = JobHarness()
        var ids: [String] = []
        var most = [0, 0, 0]
        for step in 0..<500 {
            let running = h.state.snapshot(lastSequence: 0).jobs.filter { $0.status == .running }
            switch random.next() % 9 {
            case 0, 1:
                let after = random.next() % 4 == 0 && !ids.isEmpty ? [ids[Int(random.next() % UInt64(ids.count))]] : []
                // After a job that did not succeed, a submit is refused: nothing to count.
                let delay: UInt64 = random.next() % 3 == 0 ? 2_000 : 0
                if let id = try? h.submit("s\(step)", delayMs: delay, tags: ["t\(step % 7)"], after: after) { ids.append(id) }
            case 2:
                _ = try h.claim(max: UInt32(1 + random.next() % 3), leaseMs: 600_000)
            case 3:
                guard let job = running.randomElement(using: &random) else { continue }
                try h.apply { $0.completeJob = .with { $0.jobID = job.id; $0.token = job.lease.token } }
            case 4:
                // Retryable: back to pending after a backoff while retries last, dead after.
                guard let job = running.randomElement(using: &random) else { continue }
                try h.apply {
                    $0.failJob = .with { $0.request = .with { $0.jobID = job.id; $0.token = job.lease.token; $0.error = "e"; $0.retryable = true } }
                }
            case 5:
                try h.apply { $0.cancelJobs = .with { $0.tag = "t\(random.next() % 7)" } }
            case 6:
                guard let id = ids.randomElement(using: &random), [.failed, .cancelled, .dead].contains(try h.job(id).status) else { continue }
                try h.apply { $0.retryJob = .with { $0.jobID = id } }
            case 7:
                try h.apply { $0.jobsClear = .with { $0.olderThanMs = random.next() % 10_000 } }
                ids.removeAll { (try? h.state.jobs.find($0)) == nil }
            default:
                h.now += Int64(random.next() % 1_500)
            }
            let counts = h.state.jobs.counts
            #expect([counts.all, counts.queued, counts.running] == Self.scanned(h.state), "seed \(seed), step \(step)")
            most = zip(most, [counts.all, counts.queued, counts.running]).map { max($0, $1) }
        }
        #expect(most.allSatisfy { $0 >= 3 }, "the walk held several jobs pending and running at times: \(most)")
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: try h.state.snapshot(lastSequence: 1).serializedBytes() as Data))
        let counts = restored.jobs.counts
        #expect([counts.all, counts.queued, counts.running] == Self.scanned(h.state))
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }
}
