import RipProto
import RipBase

extension JobBoard {
    /// Counts, success rate, run durations and throughput of the jobs created in the range,
    /// in total and grouped by status, priority or method.
    public func stats(_ request: RipJobStatsRequest, now: UnixMillis) throws -> RipJobStatsResponse {
        let key: (RipJob) -> String
        switch request.groupBy {
        case "": key = { _ in "all" }
        case "status": key = { $0.status.word }
        case "priority": key = { $0.priority.word }
        case "method": key = { $0.method }
        default:
            throw RipError.invalidArgument("group_by must be status, priority or method, got '\(request.groupBy)'")
        }
        let since = request.rangeMs == 0 ? UnixMillis.min : now - UnixMillis(clamping: request.rangeMs)
        let jobs = byID.values.lazy.map { Self.view($0, at: now) }.filter { $0.createdAt.unixMillis >= since }
        let minutes: Double
        if request.rangeMs > 0 {
            minutes = Double(request.rangeMs) / 60_000
        } else {
            let first = jobs.map { $0.createdAt.unixMillis }.min() ?? now
            minutes = max(Double(now - first) / 60_000, 1.0 / 60)
        }
        let total = Self.group("all", Array(jobs), minutes: minutes)
        return .with {
            $0.total = total
            if !request.groupBy.isEmpty {
                $0.groups = Dictionary(grouping: jobs, by: key).sorted { $0.key < $1.key }
                    .map { Self.group($0.key, $0.value, minutes: minutes) }
            }
        }
    }

    private static func group(_ key: String, _ jobs: [RipJob], minutes: Double) -> RipJobStatsGroup {
        var group = RipJobStatsGroup()
        group.key = key
        group.jobs = UInt64(jobs.count)
        var durations: [Int64] = []
        for job in jobs {
            group.urls += UInt64(job.urls.count)
            switch job.status {
            case .pending: group.pending += 1
            case .scheduled: group.scheduled += 1
            case .running: group.running += 1
            case .paused: group.paused += 1
            case .completed:
                group.completed += 1
                durations.append(max(0, job.completedAt.unixMillis - job.startedAt.unixMillis))
            case .failed: group.failed += 1
            case .dead: group.dead += 1
            case .waiting: group.waiting += 1
            case .cancelled: group.cancelled += 1
            case .unspecified, .UNRECOGNIZED: break
            }
        }
        let decided = group.completed + group.failed + group.dead
        group.successRate = decided == 0 ? 0 : Double(group.completed) / Double(decided)
        durations.sort()
        group.p50DurationMs = UInt64(percentile(durations, 0.50))
        group.p95DurationMs = UInt64(percentile(durations, 0.95))
        group.jobsPerMinute = Double(group.completed) / minutes
        return group
    }

    /// Nearest-rank percentile of sorted values; 0 for none.
    private static func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
