import Foundation
import RipBase
import RipCore
import RipProto

/// The JSON body of a webhook POST: a finished job's summary (PROTOCOL.md, "Completion hooks").
struct WebhookPayload: Encodable {
    struct Progress: Encodable {
        let total: UInt32
        let completed: UInt32
        let failed: UInt32
        let percentage: Float
    }

    let event = "job.finished"
    let id: String
    let name: String
    /// completed, failed, dead or cancelled.
    let status: String
    let error: String
    let summary: String
    let method: String
    let tags: [String]
    let progress: Progress
    /// Attempts started, and the retries it was allowed.
    let attempt: UInt32
    let maxRetries: UInt32
    let createdAt: String
    /// Absent for a job that did not start since it was (re)queued (cancelled while queued).
    let startedAt: String?
    let finishedAt: String
    /// From the start of the last attempt to the finish.
    let durationMs: Int64?
    /// Which finish this is (1 for the first; more after RetryJob), and which attempt to deliver it.
    let finish: UInt32
    let deliveryAttempt: UInt32

    init(_ job: RipJob) {
        id = job.id
        name = job.name
        status = job.status.word
        error = job.error
        summary = job.summary
        method = job.method
        tags = job.tags
        progress = Progress(
            total: job.progress.total, completed: job.progress.completed, failed: job.progress.failed,
            percentage: job.progress.percentage)
        attempt = job.attempt
        maxRetries = job.maxRetries
        createdAt = Self.time(job.createdAt.unixMillis)
        // `attempt` counts the attempts since the job was (re)queued; `started_at` may be older.
        let started = job.attempt > 0 && job.hasStartedAt
        startedAt = started ? Self.time(job.startedAt.unixMillis) : nil
        finishedAt = Self.time(job.completedAt.unixMillis)
        durationMs = started ? max(0, job.completedAt.unixMillis - job.startedAt.unixMillis) : nil
        finish = job.webhookDelivery.finish
        deliveryAttempt = job.webhookDelivery.attempts &+ 1
    }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// RFC 3339 in UTC with milliseconds ("2026-11-30T15:04:05.123Z"), exact: the whole
    /// seconds are formatted, the milliseconds appended from the integer.
    static func time(_ millis: UnixMillis) -> String {
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, milliseconds) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: Double(whole)).formatted(Date.ISO8601FormatStyle())
        let digits = String(milliseconds)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
