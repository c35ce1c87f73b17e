import RipProto
import RipBase

/// The whole state of the daemon as a value, changed only by `apply`.
///
/// `apply` is deterministic: the same mutations applied in the same order to the same state
/// give the same state, whether they arrive live from handlers or from log replay. A mutation
/// that breaks a rule throws a `RipError` and leaves the state untouched.
public struct RipState: Sendable {
    public internal(set) var sessions = SessionBook()
    /// Each session's cookie jar, by session id; sessions without cookies have none.
    public internal(set) var cookieJars: [String: CookieJar] = [:]
    public internal(set) var jobs = JobBoard()
    public internal(set) var schedules = ScheduleBook()
    public internal(set) var artifacts = ArtifactBook()
    /// The `created_seq` the next job or artifact gets: listings order by it, so two created in
    /// the same millisecond still list in the order they were made.
    public internal(set) var nextCreatedSeq: UInt64 = 1

    public init() {}

    public mutating func apply(_ mutation: RipMutation) throws -> Applied {
        var applied = try applyOne(mutation)
        // A deleted session takes its jar and artifacts with it; a clone may copy a jar; a clear
        // may empty one. A removed job takes its artifacts.
        for event in applied.events where event.kind == .deleted {
            cookieJars[event.session.id] = nil
            artifacts.removeAll(ownedBy: event.session.id, into: &applied)
        }
        for event in applied.jobEvents where event.kind == .removed {
            artifacts.removeAll(ownedBy: event.job.id, into: &applied)
        }
        switch mutation.kind {
        case .cloneSession(let request) where request.cookies:
            if let source = try? sessions.find(request.from) { cookieJars[applied.session.id] = cookieJars[source.id] }
        case .sessionClear(let request) where request.cookies:
            cookieJars[applied.session.id] = nil
        default: break
        }
        return applied
    }

    private mutating func applyOne(_ mutation: RipMutation) throws -> Applied {
        let now = mutation.timeUnixMs
        switch mutation.kind {
        case .createArtifact(var artifact):
            artifact.createdSeq = nextCreatedSeq
            let applied = try artifacts.create(artifact)
            nextCreatedSeq += 1  // only once the creation succeeded
            return applied
        case .deleteArtifact(let request):
            return try artifacts.delete(request)
        case .addSchedule(let schedule):
            return try schedules.add(schedule)
        case .removeSchedule(let request):
            return try schedules.remove(request.name)
        case .pauseSchedule(let request):
            return try schedules.pause(request.name)
        case .resumeSchedule(let tick):
            return try schedules.resume(tick)
        case .scheduleTick(let tick):
            try schedules.check(tick)
            var applied = Applied()
            if tick.hasJob {
                var job = tick.job
                job.createdSeq = nextCreatedSeq
                applied = try jobs.submit(job, now: now)
                nextCreatedSeq += 1
            }
            schedules.ticked(tick)
            return applied
        case .setLimit(let limit):
            return try jobs.setLimit(limit)
        case .removeLimit(let request):
            return try jobs.removeLimit(request.key)
        case .submitJob(var job):
            job.createdSeq = nextCreatedSeq
            let applied = try jobs.submit(job, now: now)
            nextCreatedSeq += 1
            return applied
        case .jobClaim(let claim):
            return try jobs.claim(claim, now: now)
        case .jobHeartbeat(let request):
            return try jobs.heartbeat(request, now: now)
        case .jobLogs(let change):
            return try jobs.appendLogs(change, now: now)
        case .jobCheckpoint(let request):
            return try jobs.saveCheckpoint(request, now: now)
        case .completeJob(let request):
            try checkResultArtifacts(request.results, of: request.jobID)
            return try jobs.complete(request, now: now)
        case .failJob(let failure):
            try checkResultArtifacts(failure.request.results, of: failure.request.jobID)
            return try jobs.fail(failure, now: now)
        case .releaseJob(let request):
            return try jobs.release(request, now: now)
        case .jobExpiry(let expiry):
            return jobs.expire(expiry, now: now)
        case .webhookAttempt(let attempt):
            return jobs.recordWebhookAttempt(attempt, now: now)
        case .cancelJobs(let request):
            return try jobs.cancel(request, now: now)
        case .pauseJob(let request):
            return try jobs.pause(request, now: now)
        case .resumeJob(let request):
            return try jobs.resume(request, now: now)
        case .retryJob(let request):
            return try jobs.retry(request, now: now)
        case .jobsClear(let request):
            return try jobs.clear(request, now: now)
        case .createSession(let request):
            return try sessions.create(request, id: mutation.newSessionID, limit: mutation.sessionLimit, now: now)
        case .useSession(let request):
            return try sessions.use(request, newID: mutation.newSessionID, limit: mutation.sessionLimit, now: now)
        case .updateSession(let request):
            return try sessions.update(request, now: now)
        case .deleteSessions(let request):
            return try sessions.delete(request, now: now)
        case .cloneSession(let request):
            return try sessions.clone(request, id: mutation.newSessionID, limit: mutation.sessionLimit, now: now)
        case .sessionClear(let request):
            return try sessions.clear(request, now: now)
        case .addHeaders(let request):
            return try sessions.addHeaders(request, now: now)
        case .removeHeaders(let request):
            return try sessions.removeHeaders(request, now: now)
        case .extendSession(let request):
            return try sessions.extend(request, now: now)
        case .changeSessionState(let request):
            return try sessions.changeState(request, now: now)
        case .recordRequest(let request):
            return try sessions.recordRequest(request, now: now)
        case .cleanupSessions:
            return sessions.removeExpired(now: now)
        case .importSession(let request):
            return try sessions.importSession(
                request, id: mutation.newSessionID, limit: mutation.sessionLimit, now: now)
        case .cookieChange(let change):
            return try applyCookieChange(change, now: now)
        case nil:
            throw RipError.invalidArgument("mutation carries no change")
        }
    }

    /// Results may name artifacts only of their own job.
    private func checkResultArtifacts(_ results: [RipJobResult], of jobID: String) throws {
        for result in results where !result.artifactID.isEmpty {
            _ = try artifacts.find(result.artifactID, ownerID: jobID)
        }
    }
}
