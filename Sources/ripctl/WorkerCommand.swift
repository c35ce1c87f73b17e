import ArgumentParser
import Foundation
import RipClient
import RipProto
import RipWire
import Synchronization

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Work jobs: claim them from ripd and run a command for each URL.",
        subcommands: [Run.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim jobs of a method and run a shell command for each of their URLs.",
            discussion: """
                For each URL, runs /bin/sh -c COMMAND with the URL as $1 and in the environment:
                  RIP_URL, RIP_JOB_ID, RIP_ATTEMPT, RIP_METHOD, RIP_CONFIG (the job's JSON config),
                  RIP_USER_AGENT and RIP_HEADERS ("Name: value" lines) from the job's session.
                Exit status 0 means the URL succeeded; its stdout (up to --max-output bytes) is the URL's result.
                Each stderr line becomes a log line of the job (warn level when the command fails).
                Batch jobs run up to the job's --max-concurrent URLs at once; others one at a time.
                The lease is kept alive by heartbeats that carry progress; a checkpoint after every URL lets a
                later attempt (after a crash) skip the URLs that already succeeded.
                A job whose URLs all succeed is completed; otherwise it fails and is retried (with backoff)
                while it has retries left, running only the URLs that did not succeed.
                A cancel request stops the commands (SIGTERM) and the job is cancelled.
                SIGTERM or SIGINT: stop claiming, stop the commands and hand the jobs back (not counted as attempts).
                Example: ripctl worker run --method css --exec 'curl -fsS "$1"' --concurrency 2
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "A method to claim jobs of (repeatable; none = any method).") var method: [String] = []
        @Option(help: "The shell command to run for each URL (the URL is $1 and $RIP_URL).") var exec: String
        @Option(help: "Jobs worked at once.") var concurrency: Int = 1
        @Flag(help: "Work one job, then exit (with 1 if it did not complete).") var once = false
        @Option(help: "With --once: seconds to wait for a job before giving up (exit 2).") var wait: Double = 30
        @Option(help: "Lease seconds; heartbeats renew it every third of it.") var lease: Double = 30
        @Option(help: "Bytes of stdout kept per URL.") var maxOutput: Int = 1 << 20
        @Option(help: "This worker's name in leases (default: host-pid).") var workerID: String?

        func validate() throws {
            guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1–64") }
            guard (1...3600).contains(lease) else { throw ValidationError("--lease must be 1–3600 seconds") }
            guard maxOutput >= 0 && maxOutput <= 8 << 20 else { throw ValidationError("--max-output must be at most 8388608") }
        }

        func run() async throws {
            let worker = WorkerOptions(
                id: workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())", command: exec, leaseMs: UInt32(lease * 1000),
                maxOutput: maxOutput)
            let stop = StopSignal()
            try await global.withClient { client, _ in
                var outcomes: [Bool] = []
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    var active = 0
                    var claimedAny = false
                    while !stop.requested && !(once && claimedAny) {
                        let room = (once ? 1 : concurrency) - active
                        if room > 0 {
                            let waitMs = once ? UInt32(wait * 1000) : 5000
                            let claimed = try await client.claim(.with {
                                $0.workerID = worker.id
                                $0.methods = method
                                $0.leaseMs = worker.leaseMs
                                $0.waitMs = min(waitMs, 600_000)
                                $0.maxJobs = UInt32(room)
                            })
                            for job in claimed.jobs {
                                active += 1
                                claimedAny = true
                                group.addTask { await JobRun(client: client, claimed: job, worker: worker, stop: stop).run() }
                            }
                            if claimed.jobs.isEmpty && once { throw ExitCode(2) }
                            if !claimed.jobs.isEmpty || active == 0 { continue }
                        }
                        if let ok = try await group.next() {
                            active -= 1
                            outcomes.append(ok)
                        }
                    }
                    for try await ok in group { outcomes.append(ok) }
                }
                if once && outcomes.contains(false) { throw ExitCode(1) }
            }
        }
    }
}

struct WorkerOptions: Sendable {
    let id: String
    let command: String
    let leaseMs: UInt32
    let maxOutput: Int
}

/// Set by SIGTERM or SIGINT; running jobs watch it.
///
/// A handler, not SIG_IGN plus a dispatch source: ignored signals stay ignored in the commands
/// the worker starts (an ignored SIGTERM is inherited across exec), caught ones do not.
final class StopSignal: Sendable {
    private static let flag = Atomic(false)

    init() {
        _ = Self.flag.load(ordering: .relaxed)  // initialized before a handler can touch it
        for number in [SIGTERM, SIGINT] {
            signal(number) { _ in
                // Async-signal-safe only: an atomic store and write(2).
                StopSignal.flag.store(true, ordering: .relaxed)
                let message: StaticString = "ripctl: worker stopping: handing jobs back\n"
                _ = message.withUTF8Buffer { write(2, $0.baseAddress, $0.count) }
            }
        }
    }

    var requested: Bool { Self.flag.load(ordering: .relaxed) }
}
