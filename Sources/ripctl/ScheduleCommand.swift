import ArgumentParser
import Foundation
import RipClient

/// `ripctl schedule`: cron schedules that submit a job at each tick.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Cron schedules: each tick submits one job.",
        discussion: """
            Example: ripctl schedule add news-hourly --cron "0 * * * *" --timezone Europe/Berlin --url https://example.com/news
            The expression has five fields (minute hour day-of-month month day-of-week) with ranges (1-5), steps \
            (*/15), lists (1,15) and names (mon-fri, jan). A tick missed while ripd was down fires once at start \
            (--catch-up one, the default) or not (none); --overlap skip (the default) skips a tick while the \
            previous tick's job is unfinished.
            """,
        subcommands: [Add.self, List.self, Show.self, Remove.self, Pause.self, Resume.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a schedule; the job flags are those of `job submit`.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name (letters, digits, '-', '_', '.').") var scheduleName: String
        @Option(help: "Five-field cron expression, quoted.") var cron: String
        @Option(help: "IANA time zone whose wall clock the expression follows.") var timezone = "UTC"
        @Option(help: "none or one: whether ticks missed while ripd was down fire once at start.") var catchUp = "one"
        @Option(help: "skip or allow: whether a tick fires while the previous tick's job is unfinished.") var overlap = "skip"
        @OptionGroup var template: JobTemplate

        func run() async throws {
            let catchUps: [String: RipSchedule.CatchUp] = ["none": .none, "one": .one]
            let overlaps: [String: RipSchedule.Overlap] = ["skip": .skip, "allow": .allow]
            guard let catchUp = catchUps[catchUp] else { throw ValidationError("--catch-up is none or one, got '\(catchUp)'") }
            guard let overlap = overlaps[overlap] else { throw ValidationError("--overlap is skip or allow, got '\(overlap)'") }
            var request = RipSchedule.with {
                $0.name = scheduleName
                $0.cron = cron
                $0.timezone = timezone
                $0.catchUp = catchUp
                $0.overlap = overlap
            }
            request.job = try template.request()
            try await global.withClient { client, output in
                let schedule = try await client.addSchedule(request)
                try output.emit(schedule) { "\(schedule.name): next tick \(schedule.nextFireAt.rfc3339)" }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.listSchedules()
                try output.emit(response) {
                    guard !response.schedules.isEmpty else { return "no schedules" }
                    return Output.table(
                        ["NAME", "CRON", "ZONE", "STATE", "NEXT", "FIRED", "SKIPPED", "LAST JOB"],
                        response.schedules.map { schedule in
                            [schedule.name, schedule.cron, schedule.timezone, schedule.paused ? "paused" : "active",
                             schedule.hasNextFireAt ? schedule.nextFireAt.rfc3339 : "never", "\(schedule.fired)",
                             "\(schedule.skipped)", schedule.lastJobID.isEmpty ? "-" : schedule.lastJobID]
                        })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one schedule.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.") var scheduleName: String

        func run() async throws {
            try await global.withClient { client, output in
                let schedule = try await client.getSchedule(.with { $0.name = scheduleName })
                try output.emit(schedule) {
                    Output.fields([
                        ("name", schedule.name), ("cron", schedule.cron), ("timezone", schedule.timezone),
                        ("state", schedule.paused ? "paused" : "active"),
                        ("next tick", schedule.hasNextFireAt ? schedule.nextFireAt.rfc3339 : "never"),
                        ("last tick", schedule.lastFiredAt.rfc3339), ("last job", schedule.lastJobID.isEmpty ? "-" : schedule.lastJobID),
                        ("fired", "\(schedule.fired)"), ("skipped", "\(schedule.skipped)"),
                        ("last skip", schedule.lastSkipReason.isEmpty ? "-" : schedule.lastSkipReason),
                        ("catch-up", schedule.catchUp == .none ? "none" : "one"), ("overlap", schedule.overlap == .allow ? "allow" : "skip"),
                        ("urls", schedule.job.urls.joined(separator: " ")), ("method", schedule.job.method.isEmpty ? "auto" : schedule.job.method),
                    ])
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a schedule (its jobs stay).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.") var scheduleName: String

        func run() async throws {
            try await global.withClient { client, output in
                let removed = try await client.removeSchedule(.with { $0.name = scheduleName })
                try output.emit(removed) { "removed schedule \(removed.name)" }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a schedule's ticks until resumed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.") var scheduleName: String

        func run() async throws {
            try await global.withClient { client, output in
                let schedule = try await client.pauseSchedule(.with { $0.name = scheduleName })
                try output.emit(schedule) { "paused schedule \(schedule.name)" }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a schedule; ticks that passed while paused do not fire.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.") var scheduleName: String

        func run() async throws {
            try await global.withClient { client, output in
                let schedule = try await client.resumeSchedule(.with { $0.name = scheduleName })
                try output.emit(schedule) { "\(schedule.name): next tick \(schedule.nextFireAt.rfc3339)" }
            }
        }
    }
}
