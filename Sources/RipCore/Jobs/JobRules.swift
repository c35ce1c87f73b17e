import Foundation
import RipProto
import RipWire

/// Input rules for jobs and worker calls. Each check throws INVALID_ARGUMENT naming the limit
/// and what was received.
public enum JobRules {
    public static let maxURLs = 10_000
    public static let maxMethodLength = 64
    public static let maxNameLength = 256
    public static let maxConfigBytes = 1 << 20
    public static let maxConcurrent: UInt32 = 1000
    public static let defaultConcurrent: UInt32 = 5
    public static let defaultRetries: UInt32 = 3
    public static let maxRetries: UInt32 = 100
    public static let maxTimeoutSeconds: UInt32 = 7 * 24 * 3600
    /// How far ahead run_at may be.
    public static let maxDelayMs: UInt64 = 366 * 24 * 3600 * 1000
    public static let maxLogEntriesPerCall = 1000
    public static let maxLogMessageBytes = 16 * 1024
    public static let maxCheckpointBytes = 1 << 20
    /// Result contents a job may hold in all (they live in memory and in snapshots).
    public static let maxResultBytes = 8 << 20
    public static let maxErrorLength = 4096
    public static let maxSummaryBytes = 64 * 1024
    public static let maxResultsPathBytes = 4096
    public static let maxClaimMethods = 32
    /// The longest `contains` filter of GetJobLogs (a log message holds at most 16 KiB).
    public static let maxLogFilterBytes = 1024
    public static let maxMetrics = 64
    static let maxWorkersKept = 10

    /// Every rule a submit must keep that does not depend on the state (URLs, config, limits):
    /// checked before the writer lock is taken, as parsing a large config takes time.
    public static func validate(_ request: Rip_V1_SubmitJobRequest, now: UnixMillis) throws {
        guard (1...maxURLs).contains(request.urls.count) else {
            throw RipError.invalidArgument("a job takes 1–\(maxURLs) URLs, got \(request.urls.count)")
        }
        for url in request.urls { try SessionRules.checkURL(url) }
        try checkMethod(request.method.isEmpty ? "auto" : request.method)
        guard SessionRules.characters(request.name, limit: maxNameLength) <= maxNameLength else {
            throw RipError.invalidArgument("job name must be at most \(maxNameLength) characters, got \(SessionRules.characters(request.name, limit: maxNameLength))")
        }
        try SessionRules.checkNoControlCharacters(request.name, what: "job name")
        try SessionRules.checkTags(request.tags, of: "job")
        try checkConfig(request.configJson)
        guard request.maxConcurrent <= maxConcurrent else {
            throw RipError.invalidArgument("max_concurrent must be at most \(maxConcurrent), got \(request.maxConcurrent)")
        }
        if request.hasMaxRetries { try checkRetries(request.maxRetries.value) }
        guard request.timeoutSeconds <= maxTimeoutSeconds else {
            throw RipError.invalidArgument(
                "timeout must be at most \(maxTimeoutSeconds) seconds, got \(request.timeoutSeconds)")
        }
        if request.hasRunAt && request.delayMs > 0 {
            throw RipError.invalidArgument("give either run_at or delay, not both")
        }
        if request.hasRunAt { _ = try TimeRange.check(request.runAt, "run_at") }
        guard request.resultsPath.utf8.count <= maxResultsPathBytes else {
            throw RipError.invalidArgument(
                "results_path must be at most \(maxResultsPathBytes) bytes, got \(request.resultsPath.utf8.count)")
        }
        guard delay(request, now: now) <= maxDelayMs else {
            throw RipError.invalidArgument("a job may start at most \(maxDelayMs / 86_400_000) days ahead")
        }
    }

    /// The job a validated submit creates at `now`, defaults filled in.
    public static func makeJob(
        _ request: Rip_V1_SubmitJobRequest, id: String, sessionID: String, now: UnixMillis
    ) -> Rip_V1_Job {
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
            $0.runAt = .init(unixMillis: now + Int64(clamping: min(delay(request, now: now), maxDelayMs)))
            $0.maxRetries = request.hasMaxRetries ? request.maxRetries.value : defaultRetries
            $0.timeoutSeconds = request.timeoutSeconds
        }
    }

    private static func delay(_ request: Rip_V1_SubmitJobRequest, now: UnixMillis) -> UInt64 {
        request.hasRunAt ? UInt64(max(0, request.runAt.unixMillis - now)) : request.delayMs
    }

    static func checkRetries(_ retries: UInt32) throws {
        guard retries <= maxRetries else {
            throw RipError.invalidArgument("max_retries must be at most \(maxRetries), got \(retries)")
        }
    }

    /// Letters, digits, '-', '_' and '.', as workers name what they can do.
    public static func checkMethod(_ method: String) throws {
        let valid = method.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || "-_.".utf8.contains(byte)
        }
        guard (1...maxMethodLength).contains(method.utf8.count), valid else {
            throw RipError.invalidArgument(
                "method '\(method)' must be 1–\(maxMethodLength) letters, digits, '-', '_' or '.'")
        }
    }

    private static func checkConfig(_ config: String) throws {
        guard !config.isEmpty else { return }
        guard config.utf8.count <= maxConfigBytes else {
            throw RipError.invalidArgument("config must be at most \(maxConfigBytes) bytes, got \(config.utf8.count)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(config.utf8))) is [String: Any] else {
            throw RipError.invalidArgument("config must be a JSON object")
        }
    }

    static func checkLogs(_ entries: [Rip_V1_LogEntry]) throws {
        guard (1...maxLogEntriesPerCall).contains(entries.count) else {
            throw RipError.invalidArgument("send 1–\(maxLogEntriesPerCall) log entries a call, got \(entries.count)")
        }
        for entry in entries {
            guard entry.message.utf8.count <= maxLogMessageBytes else {
                throw RipError.invalidArgument(
                    "a log message must be at most \(maxLogMessageBytes) bytes, got \(entry.message.utf8.count)")
            }
            guard entry.url.utf8.count <= SessionRules.maxURLLength else {
                throw RipError.invalidArgument("a log url must be at most \(SessionRules.maxURLLength) bytes")
            }
        }
    }

    static func checkOutcome(error: String?, summary: String, results: [Rip_V1_JobResult]) throws {
        if let error {
            guard (1...maxErrorLength).contains(SessionRules.characters(error, limit: maxErrorLength)) else {
                throw RipError.invalidArgument("an error of 1–\(maxErrorLength) characters is required, got \(SessionRules.characters(error, limit: maxErrorLength))")
            }
        }
        guard summary.utf8.count <= maxSummaryBytes else {
            throw RipError.invalidArgument("summary must be at most \(maxSummaryBytes) bytes, got \(summary.utf8.count)")
        }
        let bytes = results.reduce(0) {
            $0 + $1.content.count + $1.error.utf8.count + $1.url.utf8.count + $1.contentType.utf8.count + $1.artifactID.utf8.count
        }
        guard bytes <= maxResultBytes, results.count <= maxURLs else {
            throw RipError.resourceExhausted(
                "results hold \(bytes) bytes in \(results.count) entries; a job keeps at most \(maxResultBytes) bytes "
                    + "(store large outputs as artifacts)")
        }
    }

    static func checkMetrics(_ metrics: [String: Double]) throws {
        guard metrics.count <= maxMetrics, metrics.keys.allSatisfy({ (1...64).contains($0.utf8.count) }) else {
            throw RipError.invalidArgument("send at most \(maxMetrics) metrics with names of 1–64 bytes")
        }
    }
}
