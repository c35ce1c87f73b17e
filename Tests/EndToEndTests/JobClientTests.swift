import Foundation
import RipClient
import RipProto
import Subprocess
import Testing

@Suite("Jobs through RipClient")
struct JobClientTests {
    static func submit(_ client: RipClient, _ name: String, session: String = "") async throws -> RipJob {
        try await client.submitJob(.with {
            $0.urls = ["https://example.com/\(name)"]
            $0.name = name
            $0.method = "css"
            $0.session = session
        })
    }

    @Test("a waiting claim is answered as soon as a job is submitted, with the bound session's headers")
    func longPoll() async throws {
        let daemon = try await Daemon()
        let worker = try await daemon.client()
        let submitter = try await daemon.client()
        _ = try await submitter.createSession(.with {
            $0.name = "crawl"
            $0.userAgent = "Bot/1.0"
            $0.headers = ["Accept-Language": "en"]
        })
        let empty = try await worker.claim(.with { $0.workerID = "w"; $0.waitMs = 200 })
        #expect(empty.jobs.isEmpty)

        // A wait far longer than any test: only the submit can answer this claim with a job.
        async let claimed = worker.claim(.with { $0.workerID = "w"; $0.waitMs = 600_000; $0.methods = ["css"] })
        try await Daemon.waitForParkedClaims(1, submitter)
        let job = try await Self.submit(submitter, "a", session: "crawl")
        let response = try await claimed
        let first = try #require(response.jobs.first, "the parked claim was answered without the job")
        #expect(first.job.id == job.id && first.job.status == .running && first.job.attempt == 1)
        #expect(first.token.count == 32 && first.userAgent == "Bot/1.0" && first.headers == ["Accept-Language": "en"])
    }

    @Test("a cancelled waiting claim leaves the queue at once and leases nothing; the connection goes on")
    func cancelledClaim() async throws {
        let daemon = try await Daemon()
        let worker = try await daemon.client()
        let submitter = try await daemon.client()
        let waiting = Task { try await worker.claim(.with { $0.workerID = "w"; $0.waitMs = 600_000 }) }
        try await Daemon.waitForParkedClaims(1, submitter)
        waiting.cancel()
        let ended = await waiting.result
        #expect(throws: RipError.self) { try ended.get() }
        try await Daemon.waitForParkedClaims(0, submitter)
        let job = try await Self.submit(submitter, "after-the-cancel")
        #expect(try await submitter.getJob(.with { $0.jobID = job.id }).status == .pending, "the cancelled claim leased the job")
        let next = try await worker.claim(.with { $0.workerID = "w" })
        #expect(next.jobs.map(\.job.id) == [job.id])
    }

    @Test("an expired lease goes back to the queue; the old token gets FAILED_PRECONDITION")
    func fencing() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let job = try await Self.submit(client, "fenced")
        let old = try #require(try await client.claim(.with { $0.workerID = "slow"; $0.leaseMs = 1000 }).jobs.first)
        // The sweeper returns the job once the lease runs out; a waiting claim gets it.
        let new = try #require(try await client.claim(.with { $0.workerID = "fast"; $0.waitMs = 10_000 }).jobs.first)
        #expect(new.job.id == job.id && new.job.attempt == 2 && new.token != old.token)
        for call in [
            { _ = try await client.completeJob(.with { $0.jobID = job.id; $0.token = old.token }) },
            { _ = try await client.heartbeat(.with { $0.jobID = job.id; $0.token = old.token }) },
        ] as [() async throws -> Void] {
            let error = try await #require(throws: RipError.self) { try await call() }
            #expect(error.code == .failedPrecondition)
        }
        let done = try await client.completeJob(.with { $0.jobID = job.id; $0.token = new.token; $0.summary = "ok" })
        #expect(done.status == .completed && done.workers == ["slow", "fast"])
    }

    @Test("WatchJob streams the job's changes and ends when it finishes; cancel reaches the worker's heartbeat")
    func watchAndCancel() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let job = try await Self.submit(client, "watched")
        let stream = try await client.watchJob(.with { $0.jobID = job.id; $0.logsFromSeq = 1 })
        let events = Task {
            var kinds: [RipJobEvent.Kind] = []
            for try await event in stream { kinds.append(event.kind) }
            return kinds
        }
        let lease = try #require(try await client.claim(.with { $0.workerID = "w" }).jobs.first)
        _ = try await client.appendLogs(.with {
            $0.jobID = job.id
            $0.token = lease.token
            $0.entries = [.with { $0.message = "fetching"; $0.url = "https://example.com/watched" }]
        })
        let beat = try await client.heartbeat(.with {
            $0.jobID = job.id
            $0.token = lease.token
            $0.progress = .with { $0.completed = 1 }
            $0.metrics = ["memory_mb": 120, "health": 0.9]
        })
        #expect(!beat.cancelRequested)
        let cancel = try await client.cancelJobs(.with { $0.jobID = job.id })
        #expect(cancel.requested.map(\.id) == [job.id] && cancel.cancelled.isEmpty)
        #expect(try await client.heartbeat(.with { $0.jobID = job.id; $0.token = lease.token }).cancelRequested)
        let released = try await client.releaseJob(.with { $0.jobID = job.id; $0.token = lease.token })
        #expect(released.status == .cancelled)
        #expect(try await events.value == [.current, .started, .log, .progress, .updated, .progress, .cancelled])
        let shown = try await client.getJob(.with { $0.jobID = job.id })
        #expect(shown.metrics["health"] == 0.9 && shown.progress.percentage == 100 && shown.logLines == 1)
    }

    @Test("WatchEvents carries job and session events; bad input gets clear errors")
    func eventsAndErrors() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let stream = try await client.watchEvents(.with { $0.jobs = true; $0.sessions = true })
        let first = Task {
            var seen: [String] = []
            for try await event in stream {
                switch event.kind {
                case .job(let job): seen.append("job \(job.kind)")
                case .session(let session): seen.append("session \(session.kind)")
                case nil: break
                }
                if seen.count == 2 { break }
            }
            return seen
        }
        try await Daemon.waitForStreams(1, client)
        _ = try await client.createSession(.with { $0.name = "s" })
        _ = try await Self.submit(client, "e")
        #expect(try await first.value == ["session created", "job created"])

        let pending = try await Self.submit(client, "r").id
        let cases: [(RipStatusCode, () async throws -> Void)] = [
            (.invalidArgument, { _ = try await client.submitJob(.with { $0.urls = ["not a url"] }) }),
            (.notFound, { _ = try await client.submitJob(.with { $0.urls = ["https://a.example"]; $0.session = "nope" }) }),
            (.notFound, { _ = try await client.getJob(.with { $0.jobID = "job_missing" }) }),
            (.invalidArgument, { _ = try await client.claim(.with { $0.workerID = "w"; $0.maxJobs = 1000 }) }),
            (.invalidArgument, { _ = try await client.listJobs(.with { $0.cursor = "garbage" }) }),
            (.failedPrecondition, { _ = try await client.resumeJob(.with { $0.jobID = pending }) }),
        ]
        for (code, call) in cases {
            let error = try await #require(throws: RipError.self) { try await call() }
            #expect(error.code == code, "\(error)")
        }
        #expect(try await client.getSession(.with { $0.session = "s" }).name == "s", "the daemon kept serving")
    }

    @Test("a second submit with a unique key returns the job holding it, from ripctl too and after kill -9")
    func uniqueKey() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let submit = ["job", "submit", "--url", "https://example.com/a", "--unique-key", "crawl:example.com", "--unique-for", "1h"]
        let first = try await ripctl.run(submit + ["--json"])
        let id = try JobCommandTests.jobID(first)
        #expect(first.json["deduplicated"] == nil)
        let second = try await ripctl.run(submit)
        #expect(second.status == 0 && second.stdout.contains("\(id)  pending: already holds unique key 'crawl:example.com'"), "\(second.stdout)")
        let refused = try await ripctl("job", "submit", "--url", "https://example.com/a", "--unique-for", "1h")
        #expect(refused.status == 1 && refused.stderr.contains("unique_for needs a unique_key"))

        _ = try await daemon.stop(signal: SIGKILL)
        let restarted = try await Daemon(directory: daemon.directory)
        let client = try await restarted.client()
        let again = try await client.submitJob(.with { $0.urls = ["https://example.com/b"]; $0.uniqueKey = "crawl:example.com" })
        #expect(again.id == id && again.deduplicated && again.urls == ["https://example.com/a"])
        #expect(try await client.listJobs(.init()).jobs.count == 1)
        let other = try await client.submitJob(.with { $0.urls = ["https://example.com/b"]; $0.uniqueKey = "crawl:other.example" })
        #expect(other.id != id && !other.deduplicated && other.uniqueKey == "crawl:other.example")
    }

    @Test("a running job's health shows in job status --detailed; job list --unhealthy lists the unhealthy ones")
    func health() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let client = try await daemon.client()
        let job = try await Self.submit(client, "sick")
        let lease = try #require(try await client.claim(.with { $0.workerID = "w"; $0.leaseMs = 60_000 }).jobs.first)
        #expect(lease.job.health.healthy && lease.job.health.score == 1)
        #expect(try await ripctl("job", "list", "--unhealthy").stdout.contains("no jobs"))
        _ = try await client.heartbeat(.with { $0.jobID = job.id; $0.token = lease.token; $0.metrics = ["health": 0.2] })
        let listed = try await ripctl("job", "list", "--unhealthy")
        #expect(listed.stdout.contains(job.id) && listed.stdout.contains("0.20"), "\(listed.stdout)")
        let shown = try await ripctl("job", "status", "--job-id", job.id, "--detailed")
        for line in [#/health:\s+0\.20 \(unhealthy\)/#, #/heartbeat age:\s+\d+\.\d s/#, #/lease remaining:\s+\d+\.\d s/#, #/error rate:\s+0%/#] {
            #expect(shown.stdout.contains(line), "\(shown.stdout)")
        }
        _ = try await client.heartbeat(.with { $0.jobID = job.id; $0.token = lease.token; $0.metrics = ["health": 1] })
        #expect(try await client.listJobs(.with { $0.unhealthy = true }).jobs.isEmpty)
    }

    @Test("listing pages through jobs newest first with filters")
    func listing() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        var ids: [String] = []
        for n in 0..<7 {
            ids.append(try await client.submitJob(.with {
                $0.urls = ["https://example.com/\(n)"]
                $0.priority = n % 2 == 0 ? .high : .low
                $0.tags = n < 3 ? ["early"] : []
            }).id)
        }
        var seen: [String] = []
        var cursor = ""
        repeat {
            let page = try await client.listJobs(.with { $0.limit = 3; $0.cursor = cursor })
            seen += page.jobs.map(\.id)
            cursor = page.nextCursor
        } while !cursor.isEmpty
        #expect(seen == ids.reversed())
        let high = try await client.listJobs(.with { $0.priority = [.high]; $0.tags = ["early"] })
        #expect(high.jobs.map(\.id) == [ids[2], ids[0]])
    }

    @Test("--max-jobs: a submit past it gets RESOURCE_EXHAUSTED saying how to make room, a unique key's holder is still returned, and room comes back as jobs go")
    func maxJobs() async throws {
        let daemon = try await Daemon(arguments: ["--max-jobs", "2"])
        let client = try await daemon.client()
        let keyed = try await client.submitJob(.with { $0.urls = ["https://example.com/a"]; $0.uniqueKey = "a" })
        _ = try await Self.submit(client, "b")
        let refused = try await #require(throws: RipError.self) { _ = try await Self.submit(client, "c") }
        #expect(refused.code == .resourceExhausted && refused.message.contains("2 jobs are held") && refused.message.contains("--max-jobs"))
        let again = try await client.submitJob(.with { $0.urls = ["https://example.com/a"]; $0.uniqueKey = "a" })
        #expect(again.id == keyed.id && again.deduplicated)
        #expect(try await client.listJobs(.init()).jobs.count == 2, "nothing of the refused submit was kept")

        _ = try await client.cancelJobs(.with { $0.jobID = keyed.id })
        #expect(try await #require(throws: RipError.self) { _ = try await Self.submit(client, "c") }.code == .resourceExhausted,
                "a finished job is held until it is removed")
        #expect(try await client.clearJobs(.init()).removed == [keyed.id])
        #expect(try await Self.submit(client, "c").status == .pending)

        // The flag's extremes: 0 and what is no UInt64 are refused at start; 2^64−1 is no bound.
        for (value, says) in [("0", "--max-jobs must be at least 1"), ("-1", "--max-jobs"), ("18446744073709551616", "is invalid for '--max-jobs")] {
            let refused = try await Daemon.runToExit(["--socket", daemon.directory.appendingPathComponent("x.sock").path, "--max-jobs", value])
            #expect(refused.status != 0 && refused.stderr.contains(says), "\(value): \(refused.stderr)")
        }
        let unbounded = try await Daemon(arguments: ["--max-jobs", "18446744073709551615"])
        #expect(try await Self.submit(try await unbounded.client(), "any").status == .pending)
    }

    @Test("finished jobs are removed after --job-retention, dead ones after --dead-retention; unfinished ones stay")
    func retention() async throws {
        let daemon = try await Daemon(arguments: ["--job-retention", "0"])
        let client = try await daemon.client()
        let dead = try await client.submitJob(.with { $0.urls = ["https://example.com/dead"]; $0.maxRetries = .init(0) })
        let lease = try #require(try await client.claim(.with { $0.workerID = "w" }).jobs.first)
        let died = try await client.failJob(.with { $0.jobID = dead.id; $0.token = lease.token; $0.error = "gone"; $0.retryable = true })
        #expect(died.status == .dead)
        let done = try await Self.submit(client, "done")
        let waiting = try await Self.submit(client, "waiting")
        _ = try await client.cancelJobs(.with { $0.jobID = done.id })
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? await client.getJob(.with { $0.jobID = done.id })) != nil {
            try #require(ContinuousClock.now < deadline, "the finished job was never removed")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await client.getJob(.with { $0.jobID = waiting.id }).status == .pending)
        #expect(try await client.getJob(.with { $0.jobID = dead.id }).status == .dead, "kept for --dead-retention (30 days)")
        try await daemon.waitForLog("removed finished jobs past retention")

        _ = try await daemon.stop()
        let restarted = try await Daemon(arguments: ["--dead-retention", "0"], directory: daemon.directory)
        try await restarted.waitForLog("removed dead jobs past retention")
        let after = try await restarted.client()
        #expect(try await after.listJobs(.init()).jobs.map(\.id) == [waiting.id])
    }
}
