import Foundation
import RipProto
import RipBase

/// Input rules for jobs and worker calls. Each check throws INVALID_ARGUMENT naming the limit
/// and what was received.
public enum JobRules {
    public static let defaultConcurrent: UInt32 = 5
    public static let defaultRetries: UInt32 = 3
    static let maxWorkersKept = 10
    /// Entries of a job's failed-attempt history (the newest).
    static let maxFailedAttemptsKept = 20

/// Every rule a submit must keep that does not depend on the state (URLs, config, limits, the
/// webhooks `webhooks` allows): checked before the writer lock is taken, as parsing a large
/// config takes time.
    public static func validate(_ request: RipSubmitJobRequest, webhooks: WebhookPolicy, now: UnixMillis) throws {
        guard (1...RipLimits.Job.maxURLs).contains(request.urls.count) else {
            throw RipError.invalidArgument("a job takes 1–\(RipLimits.Job.maxURLs) URLs, got \(request.urls.count)")
        }
        for url in request.urls { try SessionRules.checkURL(url) }
        try checkMethod(request.method.isEmpty ? "auto" : request.method)
        guard SessionRules.characters(request.name, limit: RipLimits.Job.maxNameLength) <= RipLimits.Job.maxNameLength else {
            throw RipError.invalidArgument("job name must be at most \(RipLimits.Job.maxNameLength) characters, got \(SessionRules.characters(request.name, limit: RipLimits.Job.maxNameLength))")
        }
        try SessionRules.checkNoControlCharacters(request.name, what: "job name")
        try SessionRules.checkTags(request.tags, of: "job")
        try checkConfig(request.configJson)
        guard request.maxConcurrent <= RipLimits.Job.maxConcurrent else {
            throw RipError.invalidArgument("max_concurrent must be at most \(RipLimits.Job.maxConcurrent), got \(request.maxConcurrent)")
        }
        if request.hasMaxRetries { try checkRetries(request.maxRetries.value) }
        guard request.timeoutSeconds <= RipLimits.Job.maxTimeoutSeconds else {
            throw RipError.invalidArgument(
                "timeout must be at most \(RipLimits.Job.maxTimeoutSeconds) seconds, got \(request.timeoutSeconds)")
        }
        if request.hasRunAt && request.delayMs > 0 {
            throw RipError.invalidArgument("give either run_at or delay, not both")
        }
        if request.hasRunAt { _ = try TimeRange.check(request.runAt, "run_at") }
        guard request.resultsPath.utf8.count <= RipLimits.Job.maxResultsPathBytes else {
            throw RipError.invalidArgument(
                "results_path must be at most \(RipLimits.Job.maxResultsPathBytes) bytes, got \(request.resultsPath.utf8.count)")
        }
        guard delay(request, now: now) <= RipLimits.Job.maxDelayMs else {
            throw RipError.invalidArgument("a job may start at most \(RipLimits.Job.maxDelayMs / 86_400_000) days ahead")
        }
        try checkUnique(request)
        guard request.after.count <= RipLimits.Job.maxAfter else {
            throw RipError.invalidArgument("a job runs after at most \(RipLimits.Job.maxAfter) jobs, got \(request.after.count)")
        }
        if request.after.contains("") { throw RipError.invalidArgument("after names an empty job id") }
        if request.afterAny && request.after.isEmpty { throw RipError.invalidArgument("after_any needs after") }
        if !request.rateKey.isEmpty { try checkLimitKey(request.rateKey, what: "rate_key") }
        try webhooks.check(request.webhook)
    }

    private static func checkUnique(_ request: RipSubmitJobRequest) throws {
        let length = SessionRules.characters(request.uniqueKey, limit: RipLimits.Job.maxUniqueKeyLength)
        guard length <= RipLimits.Job.maxUniqueKeyLength else {
            throw RipError.invalidArgument(
                "unique_key must be at most \(RipLimits.Job.maxUniqueKeyLength) characters, got \(length)")
        }
        try SessionRules.checkNoControlCharacters(request.uniqueKey, what: "unique_key")
        guard request.uniqueForMs <= RipLimits.Job.maxUniqueForMs else {
            throw RipError.invalidArgument(
                "unique_for must be at most \(RipLimits.Job.maxUniqueForMs / 86_400_000) days, got \(request.uniqueForMs) ms")
        }
        if request.uniqueForMs > 0 && request.uniqueKey.isEmpty {
            throw RipError.invalidArgument("unique_for needs a unique_key")
        }
    }

/// The job a validated submit creates at `now`, defaults filled in.
    public static func makeJob(
        _ request: RipSubmitJobRequest, id: String, sessionID: String, now: UnixMillis
    ) -> RipJob {
        .with {
            $0.id = id
            $0.name = request.name
            $0.status = .pending
            $0.priority = request.priority == .unspecified ? .medium : request.priority
            $0.urls = request.urls
            $0.method = request.method.isEmpty ? "auto" : request.method
            $0.createdAt = .init(unixMillis: now)
            $0.updatedAt = .init(unixMillis: now)
            $0.progress = .with { $0.total = UInt32(request.urls.count) }
            $0.tags = request.tags
            $0.resultsPath = request.resultsPath
            $0.configJson = request.configJson.isEmpty ? "{}" : request.configJson
            $0.sessionID = sessionID
            $0.batch = request.batch
            $0.maxConcurrent = request.maxConcurrent == 0 ? defaultConcurrent : request.maxConcurrent
            $0.runAt = .init(unixMillis: now + Int64(clamping: min(delay(request, now: now), RipLimits.Job.maxDelayMs)))
            $0.maxRetries = request.hasMaxRetries ? request.maxRetries.value : defaultRetries
            $0.timeoutSeconds = request.timeoutSeconds
            $0.uniqueKey = request.uniqueKey
            $0.uniqueForMs = request.uniqueForMs
            var named: Set<String> = []
            $0.after = request.after.filter { named.insert($0).inserted }
            $0.afterAny = request.afterAny
            $0.webhook = request.webhook
        }
    }

    private static func delay(_ request: RipSubmitJobRequest, now: UnixMillis) -> UInt64 {
        request.hasRunAt ? UInt64(max(0, request.runAt.unixMillis - now)) : request.delayMs
    }

    static func checkRetries(_ retries: UInt32) throws {
        guard retries <= RipLimits.Job.maxRetries else {
            throw RipError.invalidArgument("max_retries must be at most \(RipLimits.Job.maxRetries), got \(retries)")
        }
    }

/// Letters, digits, '-', '_' and '.', as workers name what they can do.
    public static func checkMethod(_ method: String) throws {
        let valid = method.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || "-_.".utf8.contains(byte)
        }
        guard (1...RipLimits.Job.maxMethodLength).contains(method.utf8.count), valid else {
            throw RipError.invalidArgument(
                "method '\(method)' must be 1–\(RipLimits.Job.maxMethodLength) letters, digits, '-', '_' or '.'")
        }
    }

    private static func checkConfig(_ config: String) throws {
        guard !config.isEmpty else { return }
        guard config.utf8.count <= RipLimits.Job.maxConfigBytes else {
            throw RipError.invalidArgument("config must be at most \(RipLimits.Job.maxConfigBytes) bytes, got \(config.utf8.count)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(config.utf8))) is [String: Any] else {
            throw RipError.invalidArgument("config must be a JSON object")
        }
    }

    static func checkLogs(_ entries: [RipLogEntry]) throws {
        guard (1...RipLimits.Job.maxLogEntriesPerCall).contains(entries.count) else {
            throw RipError.invalidArgument("send 1–\(RipLimits.Job.maxLogEntriesPerCall) log entries a call, got \(entries.count)")
        }
        for entry in entries {
            guard entry.message.utf8.count <= RipLimits.Job.maxLogMessageBytes else {
                throw RipError.invalidArgument(
                    "a log message must be at most \(RipLimits.Job.maxLogMessageBytes) bytes, got \(entry.message.utf8.count)")
            }
            guard entry.url.utf8.count <= RipLimits.maxURLBytes else {
                throw RipError.invalidArgument("a log url must be at most \(RipLimits.maxURLBytes) bytes")
            }
        }
    }

    static func checkOutcome(error: String?, summary: String, results: [RipJobResult]) throws {
        if let error {
            guard (1...RipLimits.Job.maxErrorLength).contains(SessionRules.characters(error, limit: RipLimits.Job.maxErrorLength)) else {
                throw RipError.invalidArgument("an error of 1–\(RipLimits.Job.maxErrorLength) characters is required, got \(SessionRules.characters(error, limit: RipLimits.Job.maxErrorLength))")
            }
        }
        guard summary.utf8.count <= RipLimits.Job.maxSummaryBytes else {
            throw RipError.invalidArgument("summary must be at most \(RipLimits.Job.maxSummaryBytes) bytes, got \(summary.utf8.count)")
        }
        let bytes = results.reduce(0) {
            $0 + $1.content.count + $1.error.utf8.count + $1.url.utf8.count + $1.contentType.utf8.count + $1.artifactID.utf8.count
        }
        guard bytes <= RipLimits.Job.maxResultBytes, results.count <= RipLimits.Job.maxURLs else {
            throw RipError.resourceExhausted(
                "results hold \(bytes) bytes in \(results.count) entries; a job keeps at most \(RipLimits.Job.maxResultBytes) bytes "
                    + "(store large outputs as artifacts)")
        }
    }

    /// Refuses a new job when `held` jobs are held and `max` is the most the daemon keeps.
    static func checkRoom(held: Int, max: UInt64) throws {
        guard UInt64(held) < max else {
            throw RipError.resourceExhausted(
                "\(held) jobs are held, the most this daemon keeps (--max-jobs); finished jobs go after --job-retention, "
                    + "or remove them with `ripctl job clear`")
        }
    }

    static func checkMetrics(_ metrics: [String: Double]) throws {
        guard metrics.count <= RipLimits.Job.maxMetrics, metrics.keys.allSatisfy({ (1...64).contains($0.utf8.count) }) else {
            throw RipError.invalidArgument("send at most \(RipLimits.Job.maxMetrics) metrics with names of 1–64 bytes")
        }
    }
}
