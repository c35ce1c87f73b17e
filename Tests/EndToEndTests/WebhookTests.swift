import Foundation
import RipClient
import RipProto
import Testing

/// An HTTP server that prints every POST it receives as one JSON line ({"path", "job", "finish",
/// "attempt", "type", "status", "body"}) and answers 503 to the first POST to a path ending in
/// /flaky, 302 to /hooks/redirect, nothing for a minute to /hooks/hang, and 200 to the rest.
/// Given a port, it listens on that one.
final class HookReceiver: Sendable {
    let server: PythonHTTPServer

    init(port: Int = 0) async throws {
        let script = """
            import http.server, json, sys, time
            seen = set()
            class Handler(http.server.BaseHTTPRequestHandler):
                def log_message(self, *args): pass
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    flaky = self.path.endswith('/flaky') and self.path not in seen
                    seen.add(self.path)
                    status = 503 if flaky else 302 if self.path == '/hooks/redirect' else 200
                    print(json.dumps({'path': self.path, 'job': self.headers['Ripd-Job-Id'],
                                      'finish': self.headers['Ripd-Finish'], 'attempt': self.headers['Ripd-Delivery-Attempt'],
                                      'type': self.headers['Content-Type'], 'status': status,
                                      'body': json.loads(body)}), flush=True)
                    if self.path == '/hooks/hang': time.sleep(60)
                    self.send_response(status)
                    if status == 302: self.send_header('Location', '/hooks/done')
                    self.send_header('Content-Length', '0'); self.end_headers()
            server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        server = try await PythonHTTPServer(script: script, arguments: [String(port)])
    }

    var base: String { "http://127.0.0.1:\(server.port)" }

    /// The POSTs for `job` received so far, once one of them was answered `status`; fails after 60 s.
    func posts(for job: String, answered status: Int = 200) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let posts = server.process.output.text.split(separator: "\n").dropFirst().compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { $0["job"] as? String == job }
            if posts.contains(where: { $0["status"] as? Int == status }) { return posts }
            try #require(ContinuousClock.now < deadline, "no POST for \(job) was answered \(status) within 60 s: \(posts)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite("Completion hooks, end to end")
struct WebhookEndToEndTests {
    static func complete(_ id: String, _ client: RipClient) async throws {
        let claimed = try await client.claim(.with { $0.workerID = "w"; $0.waitMs = 10_000 })
        let job = try #require(claimed.jobs.first { $0.job.id == id })
        _ = try await client.completeJob(.with { $0.jobID = id; $0.token = job.token; $0.summary = "all done" })
    }

    @Test("a finished job's summary is POSTed to its webhook, retried after a 503; a URL outside --webhook-allow is refused")
    func delivered() async throws {
        let receiver = try await HookReceiver()
        let daemon = try await Daemon(arguments: ["--webhook-allow", "\(receiver.base)/hooks/*"])
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let client = try await daemon.client()

        let submitted = try await ripctl(
            "job", "submit", "--url", "https://example.com/a", "--name", "hooked", "--webhook", "\(receiver.base)/hooks/done", "--json")
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = try #require(submitted.json["id"] as? String)
        try await Self.complete(id, client)
        let post = try #require(try await receiver.posts(for: id).first)
        let body = try #require(post["body"] as? [String: Any])
        #expect(post["path"] as? String == "/hooks/done" && post["attempt"] as? String == "1" && post["finish"] as? String == "1")
        #expect(post["type"] as? String == "application/json")
        #expect(body["event"] as? String == "job.finished" && body["id"] as? String == id && body["name"] as? String == "hooked")
        #expect(body["status"] as? String == "completed" && body["summary"] as? String == "all done")
        #expect((body["progress"] as? [String: Any])?["completed"] as? Int == 1 && body["attempt"] as? Int == 1)
        #expect(body["started_at"] is String && body["duration_ms"] is Int && body["finish"] as? Int == 1)
        let finished = try await client.getJob(.with { $0.jobID = id }).completedAt
        let millis = String(format: "%03d", finished.nanos / 1_000_000)
        #expect((body["finished_at"] as? String)?.hasSuffix(".\(millis)Z") == true, "finished_at \(body["finished_at"] ?? "") is the finish to the millisecond")
        var delivery = try await Self.delivery(of: id, client, until: .delivered)
        #expect(delivery.attempts == 1 && delivery.lastStatus == 200)
        let shown = try await ripctl("job", "status", "--job-id", id)
        #expect(shown.stdout.contains("\(receiver.base)/hooks/done: delivered at"), "\(shown.stdout)\(shown.stderr)")

        // A failed job, whose receiver answers 503 first: delivered by the retry.
        let flaky = try await client.submitJob(.with {
            $0.urls = ["https://example.com/b"]
            $0.webhook = "\(receiver.base)/hooks/flaky"
            $0.maxRetries = .init(0)
        })
        let claimed = try await client.claim(.with { $0.workerID = "w"; $0.waitMs = 10_000 })
        let token = try #require(claimed.jobs.first { $0.job.id == flaky.id }).token
        _ = try await client.failJob(.with { $0.jobID = flaky.id; $0.token = token; $0.error = "site down"; $0.retryable = true })
        let posts = try await receiver.posts(for: flaky.id)
        #expect(posts.map { $0["status"] as? Int } == [503, 200] && posts.map { $0["attempt"] as? String } == ["1", "2"])
        #expect((posts.last?["body"] as? [String: Any])?["status"] as? String == "dead")
        #expect((posts.last?["body"] as? [String: Any])?["error"] as? String == "site down")
        delivery = try await Self.delivery(of: flaky.id, client, until: .delivered)
        #expect(delivery.attempts == 2 && delivery.lastError == "")

        // Outside the allow list: PERMISSION_DENIED, for a submit and for a schedule's job.
        let refused = try await ripctl("job", "submit", "--url", "https://example.com/c", "--webhook", "\(receiver.base)/other")
        #expect(refused.status != 0 && refused.stderr.contains("PERMISSION_DENIED") && refused.stderr.contains("--webhook-allow"), "\(refused.stderr)")
        let schedule = try await ripctl(
            "schedule", "add", "nightly", "--cron", "0 3 * * *", "--url", "https://example.com/d", "--webhook", "http://10.0.0.1/hooks/x")
        #expect(schedule.status != 0 && schedule.stderr.contains("PERMISSION_DENIED"), "\(schedule.stderr)")
        let credentials = try await ripctl("job", "submit", "--url", "https://example.com/e", "--webhook", "http://u:p@127.0.0.1/hooks/x")
        #expect(credentials.status != 0 && credentials.stderr.contains("INVALID_ARGUMENT"), "\(credentials.stderr)")
        #expect(try await client.listJobs(.init()).jobs.count == 2, "nothing refused was created")
    }

    @Test("a redirect is not followed; a receiver that never answers times out; both are retried")
    func redirectsAndTimeouts() async throws {
        let receiver = try await HookReceiver()
        let daemon = try await Daemon(arguments: ["--webhook-allow", "\(receiver.base)/hooks/*", "--webhook-timeout", "2"])
        let client = try await daemon.client()
        let moved = try await client.submitJob(.with { $0.urls = ["https://example.com/a"]; $0.webhook = "\(receiver.base)/hooks/redirect" })
        let hung = try await client.submitJob(.with { $0.urls = ["https://example.com/b"]; $0.webhook = "\(receiver.base)/hooks/hang" })
        try await Self.complete(moved.id, client)
        try await Self.complete(hung.id, client)
        let redirected = try await Self.delivery(of: moved.id, client) { $0.attempts >= 1 }
        #expect(redirected.state == .pending && redirected.lastStatus == 302 && redirected.lastError == "HTTP 302 Found")
        let timedOut = try await Self.delivery(of: hung.id, client) { $0.attempts >= 1 }
        #expect(timedOut.state == .pending && timedOut.lastStatus == 0 && !timedOut.lastError.isEmpty)
        #expect(try await receiver.posts(for: moved.id, answered: 302).allSatisfy { $0["path"] as? String == "/hooks/redirect" })
    }

    @Test("a host that never answers holds at most 4 of the 16 delivery slots")
    func perHost() async throws {
        let receiver = try await HookReceiver()
        let port = receiver.server.port
        let daemon = try await Daemon(arguments: [
            "--webhook-allow", "http://127.0.0.1:\(port)/hooks/*", "--webhook-allow", "http://localhost:\(port)/hooks/*",
            "--webhook-timeout", "30",
        ])
        let client = try await daemon.client()
        var hung: [String] = []
        for n in 0..<20 {
            hung.append(try await client.submitJob(.with { $0.urls = ["https://example.com/\(n)"]; $0.webhook = "http://127.0.0.1:\(port)/hooks/hang" }).id)
        }
        let other = try await client.submitJob(.with { $0.urls = ["https://example.com/x"]; $0.webhook = "http://localhost:\(port)/hooks/done" })
        let claimed = try await client.claim(.with { $0.workerID = "w"; $0.maxJobs = 100 })
        #expect(claimed.jobs.count == 21)
        for job in claimed.jobs { _ = try await client.completeJob(.with { $0.jobID = job.job.id; $0.token = job.token }) }
        _ = try await receiver.posts(for: other.id)
        let text = receiver.server.process.output.text
        let hangs = hung.filter { text.contains(#""job": "\#($0)""#) }
        #expect((1...4).contains(hangs.count), "\(hangs.count) deliveries to the host that never answers are under way")
    }

    @Test("without --webhook-allow no webhook is accepted")
    func offByDefault() async throws {
        let daemon = try await Daemon()
        let refused = try await Ripctl(socketPath: daemon.socketPath)(
            "job", "submit", "--url", "https://example.com/a", "--webhook", "http://127.0.0.1:9/hooks/x")
        #expect(refused.status != 0 && refused.stderr.contains("webhooks are off"), "\(refused.stderr)")
        let bad = try await Daemon.runToExit(["--webhook-allow", "*", "--socket", "/nonexistent/s"])
        #expect(bad.status != 0 && bad.stderr.contains("must start with http:// or https://"), "\(bad.stderr)")
        let wildcard = try await Daemon.runToExit(["--webhook-allow", "https://*.com*", "--socket", "/nonexistent/s"])
        #expect(wildcard.status != 0 && wildcard.stderr.contains("no other wildcards"), "\(wildcard.stderr)")
        for (flag, value, message) in [
            ("--webhook-attempts", "0", "--webhook-attempts must be 1–100"), ("--webhook-attempts", "18446744073709551615", "webhook-attempts"),
            ("--webhook-timeout", "0", "--webhook-timeout must be 0.1–300"), ("--webhook-timeout", "-1", "webhook-timeout"),
            ("--webhook-timeout", "1e300", "--webhook-timeout must be 0.1–300"),
        ] {
            let refused = try await Daemon.runToExit([flag, value, "--socket", "/nonexistent/s"])
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(flag) \(value): \(refused.stderr)")
        }
    }

    @Test("a delivery pending when ripd is killed is made after the restart")
    func survivesKill() async throws {
        // A port with nothing listening on it (yet): the first attempts fail.
        let probe = "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
        let port = try #require(Int(try await runToCompletion("/usr/bin/python3", ["-c", probe], stdin: nil).stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // An attempt against a closed port fails once its timeout ran out (the HTTP client retries
        // connecting until then).
        let arguments = ["--webhook-allow", "http://127.0.0.1:\(port)/hooks/*", "--webhook-timeout", "1"]
        let daemon = try await Daemon(arguments: arguments)
        let client = try await daemon.client()
        let job = try await client.submitJob(.with { $0.urls = ["https://example.com/a"]; $0.webhook = "http://127.0.0.1:\(port)/hooks/late" })
        try await Self.complete(job.id, client)
        let failed = try await Self.delivery(of: job.id, client) { $0.attempts >= 1 }
        #expect(failed.state == .pending && failed.lastStatus == 0 && !failed.lastError.isEmpty)
        _ = try await daemon.stop(signal: SIGKILL)

        let receiver = try await HookReceiver(port: port)
        let restarted = try await Daemon(arguments: arguments, directory: daemon.directory)
        let posts = try await receiver.posts(for: job.id)
        #expect(posts.count == 1 && (posts.first?["body"] as? [String: Any])?["status"] as? String == "completed")
        let delivered = try await Self.delivery(of: job.id, restarted.client(), until: .delivered)
        #expect(delivered.attempts >= 2)
    }

    /// The job's delivery once `done` holds (or `until` is its state), polling; fails after 60 s.
    static func delivery(
        of id: String, _ client: RipClient, until state: RipWebhookDelivery.State? = nil,
        _ done: @escaping (RipWebhookDelivery) -> Bool = { _ in true }
    ) async throws -> RipWebhookDelivery {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let delivery = try await client.getJob(.with { $0.jobID = id }).webhookDelivery
            if (state.map { delivery.state == $0 } ?? true) && done(delivery) { return delivery }
            try #require(ContinuousClock.now < deadline, "the webhook of \(id) is still \(delivery)")
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
