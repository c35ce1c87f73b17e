import ArgumentParser
import Foundation
import RipClient
import RipProto
import SwiftProtobuf

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit, watch and manage jobs: a durable priority queue that workers claim with leases.",
        discussion: """
            ripd keeps the queue; workers in any language claim jobs over the socket (`ripctl worker run` is one).
              ripctl job submit --url https://example.com --method css --name "Example" --priority high
              ripctl job status --job-id JOB --watch
              ripctl job logs --job-id JOB --follow
              ripctl job results --job-id JOB --format markdown
            """,
        subcommands: [
            Submit.self, List.self, Status.self, Logs.self, Cancel.self, Results.self, Retry.self, Stats.self,
            Pause.self, Resume.self, Clear.self, Dead.self,
        ]
    )

    struct JobID: ParsableArguments {
        @Option(help: "The job's id (job_…).") var jobID: String
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a job; prints its id.",
            discussion: """
                Example: ripctl job submit --url https://a.example --url https://b.example --batch --max-concurrent 10 \
                --tags production,news --session crawl --max-retries 5 --timeout 600

                --unique-key makes the submit idempotent: while a job with the same key is pending, scheduled or \
                running (or finished less than --unique-for ago), ripd creates nothing and returns that job \
                ("deduplicated": true with --json).

                --after JOB chains jobs: this one is waiting until JOB completed (ripctl job submit … --after A \
                --after B waits for both); if JOB fails, dies or is cancelled, this one is cancelled with the \
                reason, and so are the jobs after it. --after-any runs it once they finished, however.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var template: JobTemplate

        func run() async throws {
            let request = try template.request()
            try await global.withClient { client, output in
                let job = try await client.submitJob(request)
                try output.emit(job) {
                    job.deduplicated
                        ? "\(job.id)  \(job.status.word): already holds unique key '\(job.uniqueKey)'; nothing submitted"
                        : "\(job.id)  \(job.status.word), \(job.urls.count) URL(s), priority \(job.priority.word)"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List jobs, newest first.",
            discussion: "Pages: when more jobs match, the next page's --cursor is printed on stderr.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this status (repeatable).") var status: [StatusArgument] = []
        @Option(help: "Only this priority (repeatable).") var priority: [PriorityArgument] = []
        @Option(help: "Only jobs with this tag (repeatable: all must match).") var tag: [String] = []
        @Option(help: "Only jobs of this method.") var method: String?
        @Option(help: "Most jobs to list (at most 1000).") var limit: UInt32 = 50
        @Option(help: "Only jobs created in the last this many hours.") var recent: Double?
        @Option(help: "Continue after the page that printed this cursor.") var cursor: String?
        @Flag(help: "Only running jobs whose health is bad: no heartbeat for half the lease, or a score under 0.5.")
        var unhealthy = false

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.listJobs(.with {
                    $0.unhealthy = unhealthy
                    $0.status = status.map(\.message)
                    $0.priority = priority.map(\.message)
                    $0.tags = tag
                    $0.method = method ?? ""
                    $0.limit = limit
                    $0.recentMs = recent.map { UInt64(max(0, $0) * 3_600_000) } ?? 0
                    $0.cursor = cursor ?? ""
                })
                try output.emit(response) { JobFormat.table(response.jobs) }
                output.nextPage(response.nextCursor)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job; --watch follows it until it finishes.",
            discussion: """
                --watch streams the job's changes from ripd (no polling) and prints at most one line per --interval \
                seconds, plus the final state; it exits 0 when the job completes, 1 when it fails or is cancelled. \
                With --json, every change is one JSON line.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID
        @Flag(help: "Show every field.") var detailed = false
        @Flag(help: "Follow the job until it finishes.") var watch = false
        @Option(help: "Seconds between printed updates in watch mode.") var interval: Double = 2

        func run() async throws {
            try await global.withClient { client, output in
                guard watch else {
                    let job = try await client.getJob(.with { $0.jobID = id.jobID })
                    try output.emit(job) { JobFormat.details(job, detailed: detailed) }
                    return
                }
                var last: RipJob?
                var printed = ContinuousClock.now - .seconds(3600)
                for try await event in try await client.watchJob(.with { $0.jobID = id.jobID }) {
                    last = event.job
                    let finished = event.job.status.isFinished
                    if output.json {
                        print(try event.jsonString(options: Output.jsonOptions))
                    } else if finished || ContinuousClock.now - printed >= .milliseconds(Int(interval * 1000)) {
                        printed = .now
                        let url = event.job.progress.currentURL.isEmpty ? "" : "  \(event.job.progress.currentURL)"
                        print("\(Date().formatted(.iso8601.time(includingFractionalSeconds: false)))  \(JobFormat.status(event.job))  \(JobFormat.progress(event.job.progress))\(url)")
                    }
                    Output.flush()
                }
                if let last, !output.json { print(JobFormat.details(last, detailed: detailed)) }
                if let last, last.status != .completed { throw ExitCode(1) }
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job's log; --follow streams new lines until the job finishes.",
            discussion: "--level shows that level and above (warn: warn and error). --grep matches message or URL text.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID
        @Option(help: "The last this many lines (0 = all held).") var lines: UInt32 = 100
        @Option(help: "debug, info, warn or error: this level and above.") var level: LevelArgument?
        @Option(help: "Only lines containing this text.") var grep: String?
        @Flag(help: "Keep printing new lines (tail -f style) until the job finishes.") var follow = false

        func run() async throws {
            let matches: (RipLogEntry) -> Bool = { entry in
                entry.level.rawValue >= (level?.message.rawValue ?? 0)
                    && (grep.map { entry.message.contains($0) || entry.url.contains($0) } ?? true)
            }
            try await global.withClient { client, output in
                guard follow else {
                    let response = try await client.getJobLogs(.with {
                        $0.jobID = id.jobID
                        $0.lines = lines
                        $0.minLevel = level?.message ?? .unspecified
                        $0.contains = grep ?? ""
                    })
                    try output.emit(response) { response.entries.map(JobFormat.logLine).joined(separator: "\n") }
                    return
                }
                // One stream from the first held line: the held lines arrive as one batch right after
                // the job itself, then new lines as they are written; nothing falls between.
                var first = true
                for try await event in try await client.watchJob(.with { $0.jobID = id.jobID; $0.logsFromSeq = 1 }) {
                    guard event.kind == .log else { continue }
                    var entries = event.logs.filter(matches)
                    if first && lines > 0 { entries = Array(entries.suffix(Int(lines))) }
                    first = false
                    for entry in entries {
                        print(output.json ? try entry.jsonString(options: Output.jsonOptions) : JobFormat.logLine(entry))
                    }
                    Output.flush()
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a job, or every unfinished job with a tag.",
            discussion: """
                A pending, scheduled or paused job is cancelled at once. A running job is asked to stop: its worker \
                sees the request on its next heartbeat. --force cancels running jobs at once and revokes their leases.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The job to cancel.") var jobID: String?
        @Option(help: "Cancel every unfinished job with this tag.") var tag: String?
        @Flag(help: "Cancel running jobs at once instead of asking their workers.") var force = false

        func validate() throws {
            guard (jobID == nil) != (tag == nil) else { throw ValidationError("give either --job-id or --tag") }
        }

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.cancelJobs(.with {
                    $0.jobID = jobID ?? ""
                    $0.tag = tag ?? ""
                    $0.force = force
                })
                try output.emit(response) {
                    let lines = response.cancelled.map { "cancelled \($0.id)" } + response.requested.map { "asked \($0.id) to stop" }
                    return lines.isEmpty ? "no unfinished jobs matched" : lines.joined(separator: "\n")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a failed, cancelled or dead job again from the start.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID
        @Option(help: "Retries allowed after this run's first attempt (default: keep the job's).") var maxRetries: UInt32?

        func run() async throws {
            try await global.withClient { client, output in
                let job = try await client.retryJob(.with {
                    $0.jobID = id.jobID
                    if let maxRetries { $0.maxRetries = .init(maxRetries) }
                })
                try output.emit(job) { "\(job.id) is \(job.status.word) again (up to \(job.maxRetries + 1) attempts)" }
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts, success rate, run durations and throughput of recent jobs.",
            discussion: "Durations are of completed jobs, from the start of their last attempt to completion.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "1h, 24h, 7d, 30d or all: jobs created in this range.") var range = "24h"
        @Option(help: "status, priority or method.") var groupBy: String?

        func run() async throws {
            let rangeMs: UInt64
            switch range {
            case "all": rangeMs = 0
            case "1h", "24h", "7d", "30d": rangeMs = try JobFormat.milliseconds(range, option: "--range")
            default: throw ValidationError("--range must be 1h, 24h, 7d, 30d or all, got '\(range)'")
            }
            try await global.withClient { client, output in
                let response = try await client.jobStats(.with {
                    $0.rangeMs = rangeMs
                    $0.groupBy = groupBy ?? ""
                })
                try output.emit(response) {
                    let rows = ([response.total] + response.groups).map { group in
                        [group.key, "\(group.jobs)", "\(group.pending + group.scheduled)", "\(group.waiting)", "\(group.running)",
                         "\(group.completed)", "\(group.failed)", "\(group.dead)", "\(group.cancelled)",
                         String(format: "%.1f%%", group.successRate * 100), "\(group.p50DurationMs) ms",
                         "\(group.p95DurationMs) ms", String(format: "%.2f", group.jobsPerMinute)]
                    }
                    return Output.table(
                        ["GROUP", "JOBS", "QUEUED", "WAITING", "RUNNING", "COMPLETED", "FAILED", "DEAD", "CANCELLED", "SUCCESS", "P50", "P95",
                         "JOBS/MIN"], rows)
                }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a job: it is not claimed until resumed; a running one loses its lease (its checkpoint stays).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID

        func run() async throws {
            try await global.withClient { client, output in
                let job = try await client.pauseJob(.with { $0.jobID = id.jobID })
                try output.emit(job) { "\(job.id) paused" }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused job: it is queued again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID

        func run() async throws {
            try await global.withClient { client, output in
                let job = try await client.resumeJob(.with { $0.jobID = id.jobID })
                try output.emit(job) { "\(job.id) \(job.status.word)" }
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove finished jobs and their logs.",
            discussion: """
                Without --completed, --failed, --cancelled or --dead, completed, failed and cancelled jobs are removed; \
                dead jobs only with --dead (or `ripctl job dead rm`).
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Remove completed jobs.") var completed = false
        @Flag(help: "Remove failed jobs.") var failed = false
        @Flag(help: "Remove cancelled jobs.") var cancelled = false
        @Flag(help: "Remove dead jobs (retries used up).") var dead = false
        @Option(help: "Only jobs finished at least this long ago (90s, 15m, 2h, 7d).") var olderThan: String?

        func run() async throws {
            let age = try olderThan.map { try JobFormat.milliseconds($0, option: "--older-than") } ?? 0
            try await global.withClient { client, output in
                let response = try await client.clearJobs(.with {
                    $0.completed = completed
                    $0.failed = failed
                    $0.cancelled = cancelled
                    $0.dead = dead
                    $0.olderThanMs = age
                })
                try output.emit(response) { "removed \(response.removed.count) job(s)" }
            }
        }
    }
}
