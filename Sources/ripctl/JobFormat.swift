import ArgumentParser
import Foundation
import RipProto

/// How jobs, their logs and their figures print for people.
enum JobFormat {
    static func table(_ jobs: [RipJob]) -> String {
        guard !jobs.isEmpty else { return "no jobs" }
        return Output.table(
            ["ID", "NAME", "STATUS", "PRIORITY", "METHOD", "PROGRESS", "HEALTH", "CREATED"],
            jobs.map { job in
                [job.id, job.name.isEmpty ? "-" : job.name, status(job), job.priority.word, job.method,
                 progress(job.progress), job.hasHealth ? String(format: "%.2f", job.health.score) : "-", job.createdAt.rfc3339]
            })
    }

    static func status(_ job: RipJob) -> String {
        job.cancelRequested && job.status == .running ? "running (cancel requested)" : job.status.word
    }

    static func progress(_ progress: RipJobProgress) -> String {
        let failed = progress.failed > 0 ? ", \(progress.failed) failed" : ""
        return "\(progress.completed + progress.failed)/\(progress.total) (\(Int(progress.percentage))%\(failed))"
    }

    static func details(_ job: RipJob, detailed: Bool) -> String {
        var pairs: [(String, String)] = [
            ("id", job.id), ("name", job.name.isEmpty ? "-" : job.name), ("status", status(job)),
            ("priority", job.priority.word), ("method", job.method), ("progress", progress(job.progress)),
            ("current url", job.progress.currentURL.isEmpty ? "-" : job.progress.currentURL),
            ("attempt", "\(job.attempt) of \(job.maxRetries + 1)"),
            ("created", job.createdAt.rfc3339), ("started", job.startedAt.rfc3339), ("finished", job.completedAt.rfc3339),
        ]
        if job.status == .pending || job.status == .scheduled { pairs.append(("runs at", job.runAt.rfc3339)) }
        if !job.after.isEmpty {
            pairs.append(("after", job.after.joined(separator: ", ") + (job.afterAny ? " (any outcome)" : "")))
        }
        if !job.waitingFor.isEmpty { pairs.append(("waiting for", job.waitingFor.joined(separator: ", "))) }
        if job.hasHealth {
            let health = job.health
            pairs.append(("health", String(format: "%.2f (%@)", health.score, health.healthy ? "healthy" : "unhealthy")))
            if detailed {
                pairs.append(("heartbeat age", String(format: "%.1f s", Double(health.heartbeatAgeMs) / 1000)))
                pairs.append(("lease remaining", String(format: "%.1f s", Double(health.leaseRemainingMs) / 1000)))
                pairs.append(("urls per minute", String(format: "%.1f", health.urlsPerMinute)))
                pairs.append(("error rate", String(format: "%.0f%%", health.errorRate * 100)))
            }
        }
        if !job.error.isEmpty { pairs.append(("error", job.error)) }
        if !job.summary.isEmpty { pairs.append(("summary", job.summary)) }
        if !job.webhook.isEmpty { pairs.append(("webhook", "\(job.webhook): \(webhookState(job.webhookDelivery))")) }
        guard detailed else { return Output.fields(pairs) }
        pairs += [
            ("urls", job.urls.joined(separator: " ")), ("tags", job.tags.isEmpty ? "-" : job.tags.joined(separator: ",")),
            ("session", job.sessionID.isEmpty ? "-" : job.sessionID),
            ("batch", job.batch ? "yes, \(job.maxConcurrent) at once" : "no"),
            ("timeout", job.timeoutSeconds == 0 ? "none" : "\(job.timeoutSeconds) s per attempt"),
            ("unique key", job.uniqueKey.isEmpty ? "-" : "\(job.uniqueKey), held \(job.uniqueForMs / 1000) s after it finished"),
            ("lease", job.lease.token.isEmpty ? "-" : "\(job.lease.workerID) until \(job.lease.expiresAt.rfc3339)"),
            ("workers", job.workers.isEmpty ? "-" : job.workers.joined(separator: ", ")),
            ("heartbeat", job.heartbeatAt.rfc3339),
            ("metrics", job.metrics.isEmpty ? "-" : job.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")),
            ("checkpoint", job.hasCheckpoint ? "\(job.checkpoint.data.count) bytes at \(job.checkpoint.savedAt.rfc3339)" : "-"),
            ("log lines", "\(job.logLines) held, \(job.droppedLogLines) dropped"),
            ("results", "\(job.results.count)"), ("config", job.configJson),
            ("results path", job.resultsPath.isEmpty ? "-" : job.resultsPath),
        ]
        for attempt in job.failedAttempts {
            pairs.append(("attempt \(attempt.attempt)", "\(attempt.workerID) \(attempt.startedAt.rfc3339) … \(attempt.endedAt.rfc3339): \(attempt.error)"))
        }
        return Output.fields(pairs)
    }

    /// Where the delivery of a job's summary to its webhook stands.
    static func webhookState(_ delivery: RipWebhookDelivery) -> String {
        let last = delivery.lastError.isEmpty ? "" : "; last attempt: \(delivery.lastError)"
        return switch delivery.state {
        case .pending: "pending, attempt \(delivery.attempts + 1) at \(delivery.nextAttemptAt.rfc3339)\(last)"
        case .delivered: "delivered at \(delivery.endedAt.rfc3339) (HTTP \(delivery.lastStatus))"
        case .failed: "given up at \(delivery.endedAt.rfc3339) after \(delivery.attempts) attempts\(last)"
        default: "sent when the job finishes"
        }
    }

    static func logLine(_ entry: RipLogEntry) -> String {
        let url = entry.url.isEmpty ? "" : " [\(entry.url)]"
        return "\(entry.time.rfc3339) \(entry.level.word.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) \(entry.message)\(url)"
    }

    /// Seconds, or a number with s, m, h or d ("90", "90s", "15m", "2h", "7d").
    static func milliseconds(_ text: String, option: String) throws -> UInt64 {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = text.last.flatMap { units[$0] }
        guard let number = Double(unit == nil ? text : String(text.dropLast())), number >= 0, number < 1e9 else {
            throw ValidationError("\(option) takes a duration such as 90s, 15m, 2h or 7d, got '\(text)'")
        }
        return UInt64((number * (unit ?? 1) * 1000).rounded())
    }
}

extension RipLogLevel {
    var word: String {
        switch self {
        case .debug: "debug"
        case .info, .unspecified: "info"
        case .warn: "warn"
        case .error: "error"
        case .UNRECOGNIZED: "info"
        }
    }
}

/// --priority values.
enum PriorityArgument: String, ExpressibleByArgument, CaseIterable {
    case low, medium, high, critical

    var message: RipJobPriority {
        switch self {
        case .low: .low
        case .medium: .medium
        case .high: .high
        case .critical: .critical
        }
    }
}

/// --status values.
enum StatusArgument: String, ExpressibleByArgument, CaseIterable {
    case pending, scheduled, running, paused, completed, failed, cancelled, dead, waiting

    var message: RipJobStatus {
        switch self {
        case .pending: .pending
        case .scheduled: .scheduled
        case .running: .running
        case .paused: .paused
        case .completed: .completed
        case .failed: .failed
        case .cancelled: .cancelled
        case .dead: .dead
        case .waiting: .waiting
        }
    }
}

/// --level values.
enum LevelArgument: String, ExpressibleByArgument, CaseIterable {
    case debug, info, warn, error

    var message: RipLogLevel {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warn: .warn
        case .error: .error
        }
    }
}
