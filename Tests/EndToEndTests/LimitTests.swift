import Foundation
import RipClient
import RipProto
import Testing

/// An HTTP server that takes 100 ms per request and records when each arrived and ended.
final class RecordingServer: Sendable {
    let server: PythonHTTPServer

    init() async throws {
        let script = """
            import http.server, json, threading, time
            log, lock = [], threading.Lock()
            class Handler(http.server.BaseHTTPRequestHandler):
                def log_message(self, *args): pass
                def do_GET(self):
                    if self.path == '/log':
                        with lock: body = json.dumps(log).encode()
                    else:
                        start = time.monotonic(); time.sleep(0.1)
                        with lock: log.append([start, time.monotonic()])
                        body = b'ok'
                    self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()
                    self.wfile.write(body)
            server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        server = try await PythonHTTPServer(script: script)
    }

    var base: String { "http://127.0.0.1:\(server.port)" }

    /// (arrival, end) of every request so far, in seconds on the server's monotonic clock.
    func requests() async throws -> [(start: Double, end: Double)] {
        let text = try await runToCompletion("/usr/bin/curl", ["-fsS", "\(base)/log"], stdin: nil).stdout
        let pairs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Double]] ?? []
        return pairs.map { ($0[0], $0[1]) }.sorted { $0.start < $1.start }
    }
}

@Suite("Limits per domain")
struct LimitTests {
    @Test("3 workers on 30 URLs of one host with --concurrency 2 --rate 5/s --burst 5: never more than 2 at once, never more than 10 in a second")
    func politeness() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let site = try await RecordingServer()
        let set = try await ripctl("limit", "set", "127.0.0.1", "--rate", "5/s", "--burst", "5", "--concurrency", "2")
        #expect(set.status == 0 && set.stdout.contains("5 per 1000 ms, burst 5; 2 running at once"), "\(set.stdout)\(set.stderr)")
        let client = try await daemon.client()
        for n in 0..<30 {
            _ = try await client.submitJob(.with { $0.urls = ["\(site.base)/page/\(n)"] })
        }
        var workers: [BackgroundRipctl] = []
        for _ in 0..<3 {
            workers.append(try await BackgroundRipctl(["worker", "run", "--wait", "1", "--exec", #"curl -fsS "$1""#], socketPath: daemon.socketPath))
        }
        let deadline = ContinuousClock.now + .seconds(120)  // a hang guard: the work takes about 6 s
        while try await client.jobStats(.init()).total.completed < 30 {
            try #require(ContinuousClock.now < deadline, "the 30 jobs were not done within 120 s")
            try await Task.sleep(for: .milliseconds(50))
        }
        for worker in workers {
            worker.process.signal(SIGTERM)
            #expect(try await worker.exit(within: .seconds(60)) == 0)
        }

        let requests = try await site.requests()
        #expect(requests.count == 30)
        var mostAtOnce = 0
        for request in requests {
            mostAtOnce = max(mostAtOnce, requests.count { $0.start <= request.start && $0.end > request.start })
        }
        let mostInASecond = requests.map { first in requests.count { $0.start >= first.start && $0.start < first.start + 1 } }.max() ?? 0
        let span = (requests.last?.start ?? 0) - (requests.first?.start ?? 0)
        print("politeness: 30 requests over \(String(format: "%.2f", span)) s, at most \(mostAtOnce) at once, at most \(mostInASecond) in any second")
        #expect(mostAtOnce <= 2 && mostAtOnce >= 1)
        #expect(mostInASecond <= 10)
        #expect(span >= 4.5, "25 permits past the burst take 5 s at 5/s")

        let listed = try await ripctl("limit", "list", "--json")
        #expect(listed.stdout.contains(#""concurrency":2"#), "\(listed.stdout)")
        #expect(try await ripctl("limit", "rm", "127.0.0.1").stdout.contains("removed the limit of 127.0.0.1"))
        #expect(try await ripctl("limit", "rm", "127.0.0.1").stderr.contains("NOT_FOUND"))
        #expect(try await ripctl("limit", "set", "k", "--rate", "5/h").stderr.contains("--rate takes N/s or N/m"))
    }

    @Test("Acquire: a permit now, after a wait, or a refusal saying when; keys without a rate pass; bad input is INVALID_ARGUMENT")
    func acquire() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.setLimit(.with { $0.key = "example.com"; $0.rateCount = 1; $0.ratePeriodMs = 60_000 })
        let asked = ContinuousClock.now
        let first = try await client.acquire(.with { $0.url = "https://www.example.com/a" })
        #expect(first.granted && first.key == "example.com")
        let refused = try await client.acquire(.with { $0.key = "example.com" })
        // The next permit is due 60 s after the first was granted: however long the two calls
        // took (a loaded machine), what is left is 60 s less that, never more than 60 s.
        let took = (ContinuousClock.now - asked).components
        let elapsedMs = UInt64(took.seconds) * 1000 + UInt64(took.attoseconds / 1_000_000_000_000_000) + 1
        #expect(!refused.granted && refused.retryAfterMs <= 60_000)
        #expect(refused.retryAfterMs + elapsedMs >= 60_000, "\(refused.retryAfterMs) ms left after \(elapsedMs) ms")
        let free = try await client.acquire(.with { $0.url = "https://other.example/" })
        #expect(free.granted && free.key == "other.example")

        _ = try await client.setLimit(.with { $0.key = "slow"; $0.rateCount = 1; $0.ratePeriodMs = 2000 })
        let before = ContinuousClock.now
        #expect(try await client.acquire(.with { $0.key = "slow" }).granted)
        let waited = try await client.acquire(.with { $0.key = "slow"; $0.waitMs = 10_000 })
        let between = ContinuousClock.now - before
        // At most the 2 s until the permit was due, plus however late a loaded machine woke the
        // call: never more than the client saw pass.
        #expect(waited.granted && .milliseconds(waited.waitedMs) <= between)
        #expect(waited.waitedMs > 0 || between >= .seconds(2), "the second permit is due 2 s after the first")

        for request in [RipAcquireRequest(), .with { $0.key = "k"; $0.waitMs = 60_001 }, .with { $0.url = "file:///etc/passwd" }] {
            await #expect(throws: RipError.self) { try await client.acquire(request) }
        }
        let listed = try await client.listLimits()
        #expect(listed.limits.map(\.key) == ["example.com", "slow"])
    }
}
