import ArgumentParser
import RipClient

/// `ripctl limit`: politeness limits per domain or rate key, shared by every process on the host.
struct LimitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Rate and concurrency limits per domain or rate key.",
        discussion: """
            A key is a registrable domain (example.com covers www.example.com and api.example.com) or a name \
            jobs give with `job submit --rate-key`. --concurrency C: claims skip a key's jobs while C of them run. \
            --rate N/s or N/m with --burst B: Acquire calls (made by `ripctl worker run` before each URL, and by \
            any client) get permits from the key's token bucket. Example: ripctl limit set example.com --rate 5/s \
            --burst 5 --concurrency 3
            """,
        subcommands: [Set.self, List.self, Remove.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set (or replace) the limit of a key.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A registrable domain or a rate key.") var key: String
        @Option(help: "Permits per second or minute: 5/s, 120/m.") var rate: String?
        @Option(help: "Permits that may be taken at once after a quiet spell (default 1; needs --rate).") var burst: UInt32?
        @Option(help: "Jobs of the key running at once.") var concurrency: UInt32?

        func run() async throws {
            var limit = RipLimit.with { $0.key = key }
            if let rate {
                let parts = rate.split(separator: "/")
                let periods: [Substring: UInt32] = ["s": 1000, "m": 60_000]
                guard parts.count == 2, let count = UInt32(parts[0]), count > 0, let period = periods[parts[1]] else {
                    throw ValidationError("--rate takes N/s or N/m (5/s, 120/m), got '\(rate)'")
                }
                limit.rateCount = count
                limit.ratePeriodMs = period
            }
            if let burst { limit.burst = burst }
            if let concurrency { limit.concurrency = concurrency }
            try await global.withClient { client, output in
                let set = try await client.setLimit(limit)
                try output.emit(set) { "\(set.key): \(LimitCommand.describe(set))" }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the limits, with the jobs of each key running now.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.listLimits()
                try output.emit(response) {
                    guard !response.limits.isEmpty else { return "no limits" }
                    return Output.table(
                        ["KEY", "RATE", "BURST", "CONCURRENCY", "RUNNING"],
                        response.limits.map { limit in
                            [limit.key, limit.rateCount == 0 ? "-" : "\(limit.rateCount)/\(limit.ratePeriodMs == 1000 ? "s" : "\(limit.ratePeriodMs) ms")",
                             limit.rateCount == 0 ? "-" : "\(limit.burst)", limit.concurrency == 0 ? "-" : "\(limit.concurrency)",
                             "\(response.running[limit.key] ?? 0)"]
                        })
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove the limit of a key.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key.") var key: String

        func run() async throws {
            try await global.withClient { client, output in
                let removed = try await client.removeLimit(.with { $0.key = key })
                try output.emit(removed) { "removed the limit of \(removed.key)" }
            }
        }
    }

    static func describe(_ limit: RipLimit) -> String {
        var parts: [String] = []
        if limit.rateCount > 0 {
            parts.append("\(limit.rateCount) per \(limit.ratePeriodMs) ms, burst \(limit.burst)")
        }
        if limit.concurrency > 0 { parts.append("\(limit.concurrency) running at once") }
        return parts.joined(separator: "; ")
    }
}
