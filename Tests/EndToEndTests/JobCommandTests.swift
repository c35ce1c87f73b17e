import Foundation
import RipClient
import RipProto
import Testing

/// A static HTTP server on 127.0.0.1 serving a temporary directory.
final class FileServer: Sendable {
    let root: URL
    let server: PythonHTTPServer

    init(files: [String: String]) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-www-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, body) in files { try Data(body.utf8).write(to: root.appendingPathComponent(name)) }
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            handler.func.log_message = lambda *args: None
            server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        server = try await PythonHTTPServer(script: script, arguments: [root.path])
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(server.port)/\(name)" }

    deinit { try? FileManager.default.removeItem(at: root) }
}

/// ripctl running in the background (a worker, a watch), its output collected as it comes.
final class BackgroundRipctl: Sendable {
    let process: Child
    var output: LogBuffer { process.output }
    var errors: LogBuffer { process.errors }

    init(_ arguments: [String], socketPath: String) async throws {
        process = try await Child(Daemon.binaries.appendingPathComponent("ripctl").path, arguments + ["--socket", socketPath])
    }

    /// Waits for the exit (failing the test after `timeout`); returns the status as a shell
    /// reports it.
    func exit(within timeout: Duration) async throws -> Int32 {
        try await process.exit(within: timeout).shellStatus
    }
}

@Suite("ripctl job commands and workers")
struct JobCommandTests {
    static func jobID(_ result: Ripctl.Result) throws -> String {
        try #require(result.json["id"] as? String, "no job id in \(result.stdout) \(result.stderr)")
    }

    @Test("a batch submitted with ripctl is worked by `ripctl worker run`, watched, followed and its results saved")
    func batchThroughAWorker() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let server = try await FileServer(files: ["a.html": "<h1>A</h1>", "b.html": "<h1>B</h1>", "c.html": "<h1>C</h1>"])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-results-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(try await ripctl("session", "new", "--name", "crawl", "--user-agent", "RipBot/2").status == 0)
        let config = output.deletingLastPathComponent().appendingPathComponent("\(output.lastPathComponent).json")
        try Data(#"{"selector": "h1"}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let submitted = try await ripctl(
            "job", "submit", "--url", server.url("a.html"), "--url", server.url("b.html"), "--url", server.url("c.html"),
            "--batch", "--max-concurrent", "2", "--name", "News", "--priority", "high", "--tags", "news,batch",
            "--method", "css", "--session", "crawl", "--config", config.path, "--output-dir", output.path, "--json")
        let id = try Self.jobID(submitted)
        #expect(submitted.json["status"] as? String == "JOB_STATUS_PENDING")

        let watch = try await BackgroundRipctl(["job", "status", "--job-id", id, "--watch", "--interval", "0"], socketPath: daemon.socketPath)
        let follow = try await BackgroundRipctl(["job", "logs", "--job-id", id, "--follow"], socketPath: daemon.socketPath)
        try await Daemon.waitForStreams(2, try await daemon.client())
        let worker = try await BackgroundRipctl(
            ["worker", "run", "--method", "css", "--once",
             "--exec", #"echo "fetching $1 as $RIP_USER_AGENT" >&2; curl -fsS -A "$RIP_USER_AGENT" "$1""#],
            socketPath: daemon.socketPath)
        #expect(try await worker.exit(within: .seconds(120)) == 0, "\(worker.errors.text)")
        #expect(try await watch.exit(within: .seconds(60)) == 0)
        #expect(try await follow.exit(within: .seconds(60)) == 0)
        let watched = watch.output.text
        #expect(watched.contains("running") && watched.contains(#/status:\s+completed/#), "\(watched)")
        let followed = follow.output.text
        for name in ["a", "b", "c"] {
            #expect(followed.contains("fetching \(server.url("\(name).html")) as RipBot/2"), "\(followed)")
        }

        let shown = try await ripctl("job", "status", "--job-id", id, "--json")
        #expect(shown.json["status"] as? String == "JOB_STATUS_COMPLETED")
        #expect((shown.json["progress"] as? [String: Any])?["completed"] as? Int == 3)
        #expect(try await ripctl("job", "list", "--status", "completed", "--tag", "news").stdout.contains(id))
        let logs = try await ripctl("job", "logs", "--job-id", id, "--grep", "b.html", "--lines", "1")
        #expect(logs.stdout.split(separator: "\n").count == 1 && logs.stdout.contains("b.html"))

        let markdown = try await ripctl("job", "results", "--job-id", id, "--format", "markdown", "--include-html", "--output", "-")
        #expect(markdown.stdout.contains("| \(server.url("b.html")) | ok |") && markdown.stdout.contains("<h1>B</h1>"))
        // Without --output ripctl prints, and only names the job's --output-dir: whoever submitted
        // the job chose that path, so nothing is written there unasked.
        let printed = try await ripctl("job", "results", "--job-id", id, "--format", "json")
        #expect(printed.status == 0 && printed.stdout.contains("results") && printed.stderr.contains("--output \(output.path)"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let saved = try await ripctl("job", "results", "--job-id", id, "--format", "json", "--include-html", "--output", output.path)
        #expect(saved.status == 0, "\(saved.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any]
        #expect((report?["results"] as? [Any])?.count == 3)
        #expect(try String(contentsOf: output.appendingPathComponent("003.html"), encoding: .utf8) == "<h1>C</h1>")

        let stats = try await ripctl("job", "stats", "--range", "1h", "--group-by", "priority", "--json")
        #expect((stats.json["total"] as? [String: Any])?["completed"] as? String == "1")
    }

    @Test("a failing URL makes the job dead once retries run out; dead list, kick and rm, cancel, pause, resume and clear work from ripctl")
    func failureAndControl() async throws {
        let daemon = try await Daemon(arguments: ["--retry-backoff", "10"])
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let server = try await FileServer(files: ["ok.html": "ok"])
        let id = try Self.jobID(try await ripctl(
            "job", "submit", "--url", server.url("ok.html"), "--url", server.url("missing.html"), "--max-retries", "1", "--json"))
        for attempt in 1...2 {
            let worker = try await ripctl("worker", "run", "--once", "--wait", "10", "--exec", #"curl -fsS "$1""#)
            #expect(worker.status == 1, "attempt \(attempt): \(worker.stderr)")
        }
        let failed = try await ripctl("job", "status", "--job-id", id, "--detailed")
        #expect(failed.stdout.contains(#/status:\s+dead/#) && failed.stdout.contains(#/attempt:\s+2 of 2/#), "\(failed.stdout)")
        #expect(failed.stdout.contains(#/attempt 1:\s+\S+ .*missing.html: exit 22/#) && failed.stdout.contains(#/attempt 2:/#), "\(failed.stdout)")
        #expect(try await ripctl("job", "dead", "list").stdout.contains(id))
        #expect(try await ripctl("job", "clear").stdout.contains("removed 0 job(s)"), "a plain clear keeps dead jobs")
        let logs = try await ripctl("job", "logs", "--job-id", id, "--level", "warn")
        #expect(logs.stdout.split(separator: "\n").count == 2 && logs.stdout.contains("WARN"))
        // The second attempt ran only the URL that had failed (the checkpoint kept the other).
        #expect(try await ripctl("job", "logs", "--job-id", id, "--grep", "attempt 2").stdout.contains("1 of 2 URL(s) to run"))

        #expect(try await ripctl("job", "dead", "kick").stderr.contains("name one dead job, or give --all"))
        #expect(try await ripctl("job", "dead", "kick", id, "--max-retries", "0").stdout.contains("kicked 1 job(s)"))
        #expect(try await ripctl("job", "dead", "kick", id).stderr.contains("FAILED_PRECONDITION"))
        #expect(try await ripctl("job", "pause", "--job-id", id).status == 0)
        #expect(try await ripctl("worker", "run", "--once", "--wait", "0.3", "--exec", "true").status == 2)
        #expect(try await ripctl("job", "resume", "--job-id", id).stdout.contains("pending"))
        let cancel = try await ripctl("job", "cancel", "--job-id", id)
        #expect(cancel.stdout.contains("cancelled \(id)"))
        let again = try await ripctl("job", "cancel", "--job-id", id)
        #expect(again.status == 1 && again.stderr.contains("FAILED_PRECONDITION"))
        #expect(try await ripctl("job", "clear", "--cancelled").stdout.contains("removed 1 job(s)"))
        #expect(try await ripctl("job", "status", "--job-id", id).stderr.contains("NOT_FOUND"))

        let doomed = try Self.jobID(try await ripctl("job", "submit", "--url", server.url("missing.html"), "--max-retries", "0", "--json"))
        #expect(try await ripctl("worker", "run", "--once", "--wait", "10", "--exec", #"curl -fsS "$1""#).status == 1)
        let dead = try await ripctl("job", "dead", "list", "--json")
        #expect(((dead.json["jobs"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [doomed], "\(dead.stdout)")
        #expect(try await ripctl("job", "dead", "rm", "--all").stdout.contains("removed 1 job(s)"))
        #expect(try await ripctl("job", "submit", "--url", "https://a.example", "--delay", "soon").stderr.contains("--delay takes a duration"))
    }

    @Test("a chain A → B → C submitted with --after runs in order; a failing A cancels B and C")
    func chains() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let server = try await FileServer(files: ["a.html": "A", "b.html": "B", "c.html": "C"])
        func submit(_ page: String, _ extra: [String] = []) async throws -> String {
            try Self.jobID(try await ripctl.run(["job", "submit", "--url", server.url(page), "--max-retries", "0", "--json"] + extra))
        }
        let a = try await submit("a.html")
        let b = try await submit("b.html", ["--after", a])
        let c = try await submit("c.html", ["--after", b])
        let shown = try await ripctl("job", "status", "--job-id", c)
        #expect(shown.stdout.contains(#/status:\s+waiting/#) && shown.stdout.contains(#/waiting for:\s+job_/#) && shown.stdout.contains(b), "\(shown.stdout)")
        for _ in 0..<3 {
            let worker = try await ripctl("worker", "run", "--once", "--wait", "10", "--exec", #"curl -fsS "$1""#)
            #expect(worker.status == 0, "\(worker.stderr)")
        }
        var times: [(started: String, finished: String)] = []
        for id in [a, b, c] {
            let job = try await ripctl("job", "status", "--job-id", id, "--json").json
            #expect(job["status"] as? String == "JOB_STATUS_COMPLETED")
            times.append(((job["started_at"] as? String) ?? "", (job["completed_at"] as? String) ?? ""))
        }
        #expect(times[0].finished <= times[1].started && times[1].finished <= times[2].started, "\(times)")

        let x = try await submit("missing.html")
        let y = try await submit("b.html", ["--after", x])
        let z = try await submit("c.html", ["--after", y])
        let anyway = try await submit("c.html", ["--after", x, "--after-any"])
        #expect(try await ripctl("worker", "run", "--once", "--wait", "10", "--exec", #"curl -fsS "$1""#).status == 1)
        let cancelled = try await ripctl("job", "status", "--job-id", z, "--json").json
        #expect(cancelled["status"] as? String == "JOB_STATUS_CANCELLED")
        #expect(cancelled["error"] as? String == "cancelled: job \(y), which it runs after, is cancelled")
        #expect(try await ripctl("job", "status", "--job-id", y).stdout.contains("job \(x), which it runs after, is dead"))
        #expect(try await ripctl("job", "status", "--job-id", anyway).stdout.contains(#/status:\s+pending/#))
        let orphan = try await ripctl("job", "submit", "--url", server.url("a.html"), "--after", "job_nope")
        #expect(orphan.status == 1 && orphan.stderr.contains("NOT_FOUND"))
    }

    @Test("a worker killed mid-job: the lease runs out and another worker resumes from the checkpoint")
    func workerCrash() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let server = try await FileServer(files: ["1.html": "one", "2.html": "two", "3.html": "three"])
        let id = try Self.jobID(try await ripctl(
            "job", "submit", "--url", server.url("1.html"), "--url", server.url("2.html"), "--url", server.url("3.html"), "--json"))
        // The first worker hangs on the third URL.
        let doomed = try await BackgroundRipctl(
            ["worker", "run", "--once", "--lease", "2", "--exec", #"case "$1" in *3.html) exec sleep 60;; esac; curl -fsS "$1""#],
            socketPath: daemon.socketPath)
        let client = try await daemon.client()
        let deadline = ContinuousClock.now + .seconds(60)  // a hang guard: the suite runs beside the 1 GiB artifact test
        while try await client.getJob(.with { $0.jobID = id }).progress.completed < 2 {
            try #require(ContinuousClock.now < deadline, "the first worker never finished two URLs")
            try await Task.sleep(for: .milliseconds(50))
        }
        doomed.process.signal(SIGKILL)
        let rescuer = try await ripctl("worker", "run", "--once", "--wait", "15", "--exec", #"curl -fsS "$1""#)
        #expect(rescuer.status == 0, "\(rescuer.stderr)")
        let job = try await client.getJob(.with { $0.jobID = id; $0.includeContent = true })
        #expect(job.status == .completed && job.attempt == 2 && job.workers.count == 2)
        var outputs: [String] = []
        for result in job.results {
            let read = try await client.readArtifact(.with { $0.artifactID = result.artifactID; $0.owner.jobID = id })
            outputs.append(String(decoding: read.data, as: UTF8.self))
        }
        #expect(outputs == ["one", "two", "three"], "each URL's stdout is a result artifact of the job")
        let artifacts = try await client.queryArtifacts(.with { $0.owner.jobID = id; $0.types = [.result] }).artifacts
        #expect(Set(artifacts.map(\.name)) == ["result-001", "result-002", "result-003"])
        #expect(job.results.map(\.size) == [3, 3, 5], "each result keeps its artifact's size")
        #expect(job.error.isEmpty)
        let logs = try await client.getJobLogs(.with { $0.jobID = id; $0.contains = "attempt 2" })
        #expect(logs.entries.first?.message.contains("1 of 3 URL(s) to run") == true)
        // The hung command of the killed worker.
        _ = try? ripctlKill("sleep 60")
    }

    @Test("SIGTERM stops a worker gracefully: its command is stopped and the job handed back, attempt not counted")
    func workerStopsOnSigterm() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let id = try Self.jobID(try await ripctl("job", "submit", "--url", "https://example.invalid/slow", "--json"))
        let worker = try await BackgroundRipctl(["worker", "run", "--exec", "exec sleep 600"], socketPath: daemon.socketPath)
        let client = try await daemon.client()
        let deadline = ContinuousClock.now + .seconds(60)  // a hang guard: the suite runs beside the 1 GiB artifact test
        while try await client.getJob(.with { $0.jobID = id }).status != .running {
            try #require(ContinuousClock.now < deadline, "the worker never claimed the job")
            try await Task.sleep(for: .milliseconds(50))
        }
        worker.process.signal(SIGTERM)
        #expect(try await worker.exit(within: .seconds(60)) == 0)
        #expect(worker.errors.text.contains("worker stopping"))
        let job = try await client.getJob(.with { $0.jobID = id })
        #expect(job.status == .pending && job.attempt == 0 && job.workers.count == 1)
    }

    @Test("cancelling a running job reaches its worker at the next heartbeat: the command stops, the job is cancelled")
    func cancelReachesTheWorker() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let id = try Self.jobID(try await ripctl("job", "submit", "--url", "https://example.invalid/slow", "--json"))
        let worker = try await BackgroundRipctl(["worker", "run", "--once", "--lease", "3", "--exec", "exec sleep 600"], socketPath: daemon.socketPath)
        let client = try await daemon.client()
        let deadline = ContinuousClock.now + .seconds(60)  // a hang guard: the suite runs beside the 1 GiB artifact test
        while try await client.getJob(.with { $0.jobID = id }).status != .running {
            try #require(ContinuousClock.now < deadline, "the worker never claimed the job")
            try await Task.sleep(for: .milliseconds(50))
        }
        let cancel = try await ripctl("job", "cancel", "--job-id", id)
        #expect(cancel.stdout.contains("asked \(id) to stop"))
        #expect(try await worker.exit(within: .seconds(60)) == 1)
        let job = try await client.getJob(.with { $0.jobID = id })
        #expect(job.status == .cancelled && job.cancelRequested && job.error == "cancelled")
    }

    /// Stops processes left behind by a killed worker.
    private func ripctlKill(_ pattern: String) throws {
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-f", "^\(pattern)$"]
        try pkill.run()
        pkill.waitUntilExit()
    }
}
