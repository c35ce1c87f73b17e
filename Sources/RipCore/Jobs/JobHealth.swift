import RipProto

extension RipJobHealth {
    /// The health of a running job at `now`:
    ///
    /// - freshness = 1 − heartbeat age / (lease / 2), clamped to 0…1: 1 just after a heartbeat,
    ///   0 once half the lease passed without one;
    /// - success = 1 − error rate (failed URLs / URLs done; 1 while none is done);
    /// - score = 0.6 × freshness + 0.4 × success, and no more than the `health` metric the
    ///   worker last reported (0…1), if it did;
    /// - unhealthy once the heartbeat is half a lease old or the score is under 0.5.
    init(of job: RipJob, at now: UnixMillis) {
        self.init()
        let age = max(0, now - job.heartbeatAt.unixMillis)
        let halfLease = max(1, Int64(job.lease.leaseMs) / 2)
        heartbeatAgeMs = UInt64(age)
        leaseRemainingMs = UInt64(max(0, job.lease.expiresAt.unixMillis - now))
        let done = Double(job.progress.completed) + Double(job.progress.failed)
        let minutes = Double(max(1000, now - job.startedAt.unixMillis)) / 60_000
        urlsPerMinute = done / minutes
        errorRate = done == 0 ? 0 : Double(job.progress.failed) / done
        let freshness = min(1, max(0, 1 - Double(age) / Double(halfLease)))
        var score = 0.6 * freshness + 0.4 * (1 - errorRate)
        if let reported = job.metrics["health"], reported.isFinite { score = min(score, max(0, min(1, reported))) }
        self.score = score
        healthy = age < halfLease && score >= 0.5
    }
}
