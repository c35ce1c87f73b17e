import ArgumentParser
import RipClient

extension JobCommand {
    /// The dead-letter set: jobs whose retries are used up.
    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The dead-letter set: jobs whose retries are used up.",
            discussion: """
                A job whose last allowed attempt failed, timed out or lost its lease is dead: kept with its last \
                error and attempt history (`ripctl job status --detailed`) until ripd --dead-retention, never \
                run again unless kicked. Example: ripctl job dead list; ripctl job dead kick --all
                """,
            subcommands: [List.self, Kick.self, Remove.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List dead jobs, newest first, with their last error.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Most jobs to list (at most 1000).") var limit: UInt32 = 50
            @Option(help: "Continue after the page that printed this cursor.") var cursor: String?

            func run() async throws {
                try await global.withClient { client, output in
                    let response = try await client.listJobs(.with {
                        $0.status = [.dead]
                        $0.limit = limit
                        $0.cursor = cursor ?? ""
                    })
                    try output.emit(response) {
                        guard !response.jobs.isEmpty else { return "no dead jobs" }
                        return Output.table(
                            ["ID", "NAME", "ATTEMPTS", "DIED", "LAST ERROR"],
                            response.jobs.map { job in
                                [job.id, job.name.isEmpty ? "-" : job.name, "\(job.attempt)", job.completedAt.rfc3339,
                                 String(job.error.prefix(120))]
                            })
                    }
                    output.nextPage(response.nextCursor)
                }
            }
        }

        struct Kick: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Send dead jobs back to the queue with fresh attempts (from the start, as `job retry`).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The dead job to kick.") var jobID: String?
            @Flag(help: "Kick every dead job.") var all = false
            @Option(help: "Retries allowed after each kicked job's first attempt (default: keep the job's).")
            var maxRetries: UInt32?

            func validate() throws { try Dead.checkTarget(jobID, all: all) }

            func run() async throws {
                try await global.withClient { client, output in
                    var kicked: [RipJob] = []
                    for id in try await Dead.targets(jobID, all: all, client) {
                        kicked.append(try await client.retryJob(.with {
                            $0.jobID = id
                            if let maxRetries { $0.maxRetries = .init(maxRetries) }
                        }))
                    }
                    try output.emit(RipListJobsResponse.with { $0.jobs = kicked }) {
                        "kicked \(kicked.count) job(s) back to the queue"
                    }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "rm", abstract: "Remove dead jobs and their logs.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The dead job to remove.") var jobID: String?
            @Flag(help: "Remove every dead job.") var all = false

            func validate() throws { try Dead.checkTarget(jobID, all: all) }

            func run() async throws {
                try await global.withClient { client, output in
                    if let jobID {
                        let job = try await client.getJob(.with { $0.jobID = jobID })
                        guard job.status == .dead else { throw CommandFailure("\(jobID) is \(job.status.word), not dead") }
                    }
                    let response = try await client.clearJobs(.with {
                        if let jobID { $0.jobID = jobID } else { $0.dead = true }
                    })
                    try output.emit(response) { "removed \(response.removed.count) job(s)" }
                }
            }
        }

        static func checkTarget(_ jobID: String?, all: Bool) throws {
            guard (jobID != nil) != all else { throw ValidationError("name one dead job, or give --all") }
        }

        /// The job named, or every dead job (paged through).
        static func targets(_ jobID: String?, all: Bool, _ client: RipClient) async throws -> [String] {
            if let jobID { return [jobID] }
            var ids: [String] = []
            var cursor = ""
            repeat {
                let page = try await client.listJobs(.with {
                    $0.status = [.dead]
                    $0.limit = 1000
                    $0.cursor = cursor
                })
                ids += page.jobs.map(\.id)
                cursor = page.nextCursor
            } while !cursor.isEmpty
            return ids
        }
    }
}
