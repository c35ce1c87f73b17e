import Foundation
import DequeModule
import RipProto
import RipBase

/// Every job, its log, and the queue of jobs waiting to be claimed.
///
/// Reads are plain functions of the value; changes live in `JobBoard+Changes.swift` and are
/// reached only through `RipState.apply`. The ready queue (`JobQueue`) is derived from the
/// jobs and rebuilt from a snapshot.
public struct JobBoard: Sendable {
    var byID: [String: RipJob] = [:]
    var logs: [String: JobLog] = [:]
    var queue = JobQueue()
    /// Ids of running jobs: the sweeper's lease and timeout checks scan only these.
    var running: Set<String> = []
    /// The newest job submitted with each unique key (whether it still holds the key is
    /// `holder(ofUniqueKey:at:)`'s question).
    var uniqueKeys: [String: String] = [:]
    /// For each unfinished job, the WAITING jobs that run after it (entries of jobs no longer
    /// waiting are skipped when it finishes).
    var dependents: [String: Set<String>] = [:]
    var limits = JobLimits()
    /// Ids of finished jobs whose webhook delivery is pending.
    var pendingHooks: Set<String> = []
    /// Finished jobs by when they finished: what clearing by age reads.
    var finishOrder = FinishOrder()
    /// How many jobs are pending (ready or scheduled): kept as jobs are stored and removed, so
    /// `counts` (every Info, every `ripctl status`) scans nothing.
    var pendingCount = 0

    public init() {}

    public var count: Int { byID.count }

    /// Jobs held, pending or scheduled, and running.
    public var counts: (all: Int, queued: Int, running: Int) {
        (byID.count, pendingCount, running.count)
    }

    public func find(_ id: String) throws -> RipJob {
        guard !id.isEmpty else { throw RipError.invalidArgument("a job id is required") }
        guard let job = byID[id] else {
            throw RipError.notFound("no job with id '\(id)'; `ripctl job list` shows them")
        }
        return job
    }

    /// The job as clients see it at `now`: a pending job whose run_at is ahead is SCHEDULED, a
    /// running one carries its health, and result contents are left out unless asked for.
    public func view(_ id: String, at now: UnixMillis, includeContent: Bool = false) throws -> RipJob {
        JobBoard.view(try find(id), at: now, includeContent: includeContent)
    }

    static func view(_ job: RipJob, at now: UnixMillis, includeContent: Bool = false) -> RipJob {
        var job = job
        if job.status == .pending && job.runAt.unixMillis > now { job.status = .scheduled }
        if job.status == .running { job.health = RipJobHealth(of: job, at: now) }
        if !includeContent {
            for index in job.results.indices where !job.results[index].content.isEmpty {
                job.results[index].content = Data()
            }
        }
        return job
    }

    /// Jobs that match `request`, newest first, one page at a time.
    public func list(_ request: RipListJobsRequest, now: UnixMillis) throws -> RipListJobsResponse {
        try SessionRules.checkTags(request.tags, of: "filter")
        try SessionRules.checkCount(request.status.count, of: "status", max: RipLimits.Session.maxFilterValues)
        try SessionRules.checkCount(request.priority.count, of: "priority", max: RipLimits.Session.maxFilterValues)
        let statuses = Set(request.status)
        let priorities = Set(request.priority)
        let since = request.recentMs == 0 ? UnixMillis.min : now - UnixMillis(clamping: request.recentMs)
        let page = try Page(byID.values, limit: request.limit, defaultLimit: 50, cursor: request.cursor, position: PageCursor.init) { job in
            (statuses.isEmpty || statuses.contains(Self.view(job, at: now).status))
                && (priorities.isEmpty || priorities.contains(job.priority))
                && request.tags.allSatisfy { job.tags.contains($0) }
                && (request.method.isEmpty || job.method == request.method)
                && job.createdAt.unixMillis >= since
                && (!request.unhealthy || (job.status == .running && !RipJobHealth(of: job, at: now).healthy))
        }
        return .with {
            $0.jobs = page.items.map { Self.view($0, at: now) }
            $0.nextCursor = page.nextCursor
        }
    }

    /// The held log lines of a job that pass `request`'s filters, oldest first.
    public func logs(_ request: RipGetJobLogsRequest) throws -> RipGetJobLogsResponse {
        _ = try find(request.jobID)
        guard request.contains.utf8.count <= RipLimits.Job.maxLogFilterBytes else {
            throw RipError.invalidArgument(
                "contains must be at most \(RipLimits.Job.maxLogFilterBytes) bytes, got \(request.contains.utf8.count)")
        }
        let log = logs[request.jobID] ?? JobLog()
        var entries: [RipLogEntry] = log.entries.filter { entry in
            entry.level.rawValue >= request.minLevel.rawValue
                && (request.contains.isEmpty || entry.message.contains(request.contains)
                    || entry.url.contains(request.contains))
        }
        if request.lines > 0 && entries.count > Int(request.lines) {
            entries.removeFirst(entries.count - Int(request.lines))
        }
        return .with {
            $0.entries = entries
            $0.droppedLogLines = log.dropped
        }
    }

    /// Held log lines of `id` from `seq` on.
    public func logs(of id: String, from seq: UInt64) -> [RipLogEntry] {
        guard let log = logs[id], let first = log.entries.first else { return [] }
        let skip = seq > first.seq ? Int(clamping: seq - first.seq) : 0
        return skip < log.entries.count ? Array(log.entries.dropFirst(skip)) : []
    }

    /// Running jobs whose lease ran out or whose attempt ran over its timeout at `now`.
    public func overdue(at now: UnixMillis) -> [(job: RipJob, timedOut: Bool)] {
        running.compactMap { id in
            guard let job = byID[id] else { return nil }
            if job.timeoutSeconds > 0 && job.startedAt.unixMillis + Int64(job.timeoutSeconds) * 1000 <= now {
                return (job, true)
            }
            return job.lease.expiresAt.unixMillis <= now ? (job, false) : nil
        }
    }

    /// Finished jobs that `request` would remove at `now`.
    func clearable(_ request: RipClearJobsRequest, now: UnixMillis) throws -> [String] {
        if !request.jobID.isEmpty {
            let job = try find(request.jobID)
            guard job.status.isFinished else {
                throw RipError.failedPrecondition(
                    "only a finished job can be removed; \(job.id) is \(Self.view(job, at: now).status.word)")
            }
            return [job.id]
        }
        return finished(request, now: now, first: false)
    }

    /// The finished jobs `request`'s status flags and age take at `now`, oldest first (`first`:
    /// at most one), read from the order they finished in.
    private func finished(_ request: RipClearJobsRequest, now: UnixMillis, first: Bool) -> [String] {
        let cutoff = now - UnixMillis(clamping: request.olderThanMs)
        let statuses = { (status: RipJobStatus) in Self.clears(request, status) }
        let usual = !request.dead || request.completed || request.failed || request.cancelled
        var found: [String] = []
        if usual { found = finishOrder.finished(dead: false, until: cutoff, statuses: statuses, in: byID, first: first) }
        if request.dead && !(first && !found.isEmpty) {
            found += finishOrder.finished(dead: true, until: cutoff, statuses: statuses, in: byID, first: first)
        }
        return found
    }

    /// Whether `request`'s status flags take a job in `status`.
    private static func clears(_ request: RipClearJobsRequest, _ status: RipJobStatus) -> Bool {
        let usual = !request.completed && !request.failed && !request.cancelled && !request.dead
        return switch status {
        case .completed: usual || request.completed
        case .failed: usual || request.failed
        case .cancelled: usual || request.cancelled
        case .dead: request.dead
        default: false
        }
    }

    /// Every limit, by key, with the jobs of each key running now.
    public func listLimits() -> RipListLimitsResponse {
        .with { response in
            response.limits = limits.byKey.values.sorted { $0.key < $1.key }
            for limit in response.limits {
                if let count = limits.running[limit.key] { response.running[limit.key] = UInt32(clamping: count) }
            }
        }
    }

    /// The limit of `key`, if it has one.
    public func limit(of key: String) -> RipLimit? { limits.byKey[key] }

    /// The job that holds `key` at `now`: the newest submitted with it, while it is unfinished
    /// and for its unique_for_ms after it finished.
    public func holder(ofUniqueKey key: String, at now: UnixMillis) -> RipJob? {
        guard !key.isEmpty, let id = uniqueKeys[key], let job = byID[id] else { return nil }
        guard job.status.isFinished else { return job }
        let (until, overflow) = job.completedAt.unixMillis.addingReportingOverflow(Int64(clamping: job.uniqueForMs))
        return overflow || until > now ? job : nil
    }

    /// Finished jobs whose webhook is due at `now` and not `busy` (at most `limit`, soonest
    /// first): what the webhook sender delivers next. A scan of the pending deliveries.
    public func dueWebhooks(at now: UnixMillis, limit: Int, busy: (String) -> Bool = { _ in false }) -> [RipJob] {
        var due: [RipJob] = []
        for id in pendingHooks {
            guard let job = byID[id], job.webhookDelivery.nextAttemptAt.unixMillis <= now, !busy(id) else { continue }
            due.append(job)
        }
        let key = { (job: RipJob) in (job.webhookDelivery.nextAttemptAt.unixMillis, job.id) }
        return due.sorted { key($0) < key($1) }.prefix(limit).map { Self.view($0, at: now) }
    }

    /// Whether `request` (by its status flags and age) would remove anything at `now`: the
    /// sweeper's check, which reads the oldest finished jobs only.
    public func hasClearable(_ request: RipClearJobsRequest, now: UnixMillis) -> Bool {
        !finished(request, now: now, first: true).isEmpty
    }
}

/// One job's log: the newest lines up to the cap, numbered from 1.
struct JobLog: Sendable {
    var entries: Deque<RipLogEntry> = []
    var nextSeq: UInt64 = 1
    var dropped: UInt64 = 0
}
