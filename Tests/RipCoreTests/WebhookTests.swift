import Foundation
import RipBase
import RipCore
import RipProto
import Testing

@Suite("Completion hooks")
struct WebhookTests {
    static let hook = "http://127.0.0.1:8080/hooks/done"

    static func harness() -> JobHarness {
        var h = JobHarness()
        h.webhooks.allow = [try! WebhookPattern("http://127.0.0.1:8080/hooks/*")]
        return h
    }

    /// Decides and records one delivery attempt of `id`'s webhook at the harness's time (of its
    /// current delivery, or the one `sent` was made for); false when it was void.
    @discardableResult
    static func attempt(
        _ h: inout JobHarness, _ id: String, delivered: Bool, status: UInt32 = 0, error: String = "",
        retryable: Bool = true, sent: WebhookReport? = nil
    ) throws -> Bool {
        var report = try sent ?? WebhookReport(of: h.job(id))
        report.delivered = delivered
        report.status = status
        report.error = error
        report.retryable = retryable
        guard let mutation = h.state.decideWebhookAttempt(report, policy: h.webhooks, now: h.now) else { return false }
        try h.apply { $0 = mutation }
        return true
    }

    static func complete(_ h: inout JobHarness, _ id: String) throws {
        let token = try #require(try h.claim().first { $0.id == id }).token
        try h.apply { $0.completeJob = .with { $0.jobID = id; $0.token = token } }
    }

    @Test("a webhook must be an allowed http(s) URL without credentials; none is allowed by default")
    func allowList() throws {
        var h = JobHarness()
        func code(_ url: String, _ h: JobHarness) -> RipStatusCode? {
            let request = RipSubmitJobRequest.with { $0.urls = ["https://example.com/"]; $0.webhook = url }
            do {
                try JobRules.validate(request, webhooks: h.webhooks, now: h.now)
                return nil
            } catch let error as RipError {
                return error.code
            } catch {
                return .unknown
            }
        }
        #expect(code(Self.hook, h) == .permissionDenied, "no --webhook-allow: no webhooks")
        #expect(code("", h) == nil, "no webhook is always fine")
        h.webhooks.allow = try ["http://127.0.0.1:8080/hooks/*", "https://*.example.org/ripd", "http://[::1]:*", "HTTPS://Hooks.Example.com"]
            .map(WebhookPattern.init)
        for allowed in [
            Self.hook, "http://127.0.0.1:8080/hooks/a?b=c", "https://a.example.org/ripd", "https://a.b.example.org:443/ripd",
            "http://[::1]:9000/x", "http://[::1]/", "https://hooks.example.com", "https://HOOKS.example.com:443/any/path?q",
        ] {
            #expect(code(allowed, h) == nil, "\(allowed)")
        }
        for refused in [
            "http://127.0.0.1:8081/hooks/done", "http://127.0.0.1/hooks/done", "https://127.0.0.1:8080/hooks/done",
            "http://127.0.0.1:8080/other", "https://a.example.org/ripd/more", "https://example.org/ripd",
            "https://a.example.org:8443/ripd", "http://a.example.org/ripd",
            // A wildcard host reaches no host it does not name, however the URL is dressed.
            "https://evil.net/.example.org/ripd", "https://evil.net?.example.org/ripd", "https://evil.net#.example.org/ripd",
            "https://evil.net:1/x.example.org/ripd", "https://evilexample.org/ripd", "https://hooks.example.com.evil.net/",
            "http://[::2]:9000/", "http://1:8080/hooks/x",
        ] {
            #expect(code(refused, h) == .permissionDenied || code(refused, h) == .invalidArgument, "\(refused)")
            #expect(code(refused, h) != nil, "\(refused)")
        }
        for pattern in ["*", "http://*", "http://*.com*", "ftp://a", "http://a:99999", "http://a:x", "http://ev?l.net/", "http://[::1", "http://"] {
            #expect(throws: RipError.self, "\(pattern)") { try WebhookPattern(pattern) }
        }
        #expect(code("http://127.0.0.1:8080@evil.example/hooks/x", h) == .invalidArgument, "credentials")
        #expect(code("http://127.0.0.1:8080/hooks/\\x", h) == .invalidArgument)
        #expect(code("ftp://127.0.0.1:8080/hooks/x", h) == .invalidArgument)
        #expect(code("http://127.0.0.1:8080/hooks/a b", h) == .invalidArgument)
        #expect(code("http://127.0.0.1:8080/hooks/" + String(repeating: "a", count: 2100), h) == .invalidArgument)
    }

    @Test("a finished job's hook is due at once; failures back off until the attempts run out; replay agrees")
    func retriesThenGivesUp() throws {
        var h = Self.harness()
        h.webhooks.maxAttempts = 3
        let id = try h.submit("a", webhook: Self.hook)
        #expect(try h.job(id).webhook == Self.hook && !h.job(id).hasWebhookDelivery)
        #expect(h.state.jobs.dueWebhooks(at: h.now, limit: 10).isEmpty, "not before it finished")
        try Self.complete(&h, id)
        #expect(try h.job(id).webhookDelivery.state == .pending)
        #expect(h.state.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id) == [id])

        #expect(try Self.attempt(&h, id, delivered: false, status: 503, error: "HTTP 503 Service Unavailable"))
        var delivery = try h.job(id).webhookDelivery
        #expect(delivery.state == .pending && delivery.attempts == 1 && delivery.lastStatus == 503)
        let retryAt = delivery.nextAttemptAt.unixMillis
        #expect((h.now + 500...h.now + 1000).contains(retryAt), "the first retry waits 0.5–1 s")
        #expect(h.state.jobs.dueWebhooks(at: h.now, limit: 10).isEmpty && h.state.jobs.dueWebhooks(at: retryAt, limit: 10).count == 1)

        h.now = retryAt
        try Self.attempt(&h, id, delivered: false, error: "connection refused")
        h.now = try h.job(id).webhookDelivery.nextAttemptAt.unixMillis
        try Self.attempt(&h, id, delivered: false, error: "connection refused")
        delivery = try h.job(id).webhookDelivery
        #expect(delivery.state == .failed && delivery.attempts == 3 && delivery.lastError == "connection refused")
        #expect(delivery.endedAt.unixMillis == h.now && !delivery.hasNextAttemptAt)
        #expect(h.state.jobs.dueWebhooks(at: .max, limit: 10).isEmpty)
        #expect(try !Self.attempt(&h, id, delivered: true, status: 200), "a given-up delivery takes no more attempts")
        #expect(h.state.decideWebhookAttempt(WebhookReport(of: try h.job(id)), policy: h.webhooks, now: h.now) == nil)
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
    }

    @Test("delivered once; an attempt for an earlier finish is void; a URL no longer allowed is given up at once")
    func deliveredAndVoid() throws {
        var h = Self.harness()
        let id = try h.submit("a", webhook: Self.hook)
        let first = try #require(try h.claim().first)
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = id; $0.token = first.token; $0.error = "boom" } } }
        let firstSent = WebhookReport(of: try h.job(id))
        #expect(firstSent.finish == 1 && firstSent.attempt == 1)
        h.now += 10
        #expect(try Self.attempt(&h, id, delivered: true, status: 204))
        #expect(try !Self.attempt(&h, id, delivered: true, status: 204, sent: firstSent), "an attempt is recorded once")
        #expect(try h.job(id).webhookDelivery.state == .delivered && h.job(id).webhookDelivery.endedAt.unixMillis == h.now)

        // Retried and finished again in the same millisecond: a new delivery; a late report
        // about the first finish is void.
        try h.apply { $0.retryJob = .with { $0.jobID = id } }
        #expect(try h.job(id).webhookDelivery.state == .unspecified && h.job(id).webhookDelivery.finish == 1)
        try Self.complete(&h, id)
        #expect(try h.job(id).webhookDelivery.state == .pending && h.job(id).webhookDelivery.attempts == 0)
        #expect(try h.job(id).webhookDelivery.finish == 2)
        #expect(try !Self.attempt(&h, id, delivered: true, status: 200, sent: firstSent))
        #expect(try Self.attempt(&h, id, delivered: false, error: "the URL matches no --webhook-allow pattern", retryable: false))
        #expect(try h.job(id).webhookDelivery.state == .failed && h.job(id).webhookDelivery.attempts == 1)

        // Failed, dead and cancelled jobs are announced too, a dependent cancelled on the spot included.
        let x = try h.submit("x", retries: 0, webhook: Self.hook)
        let y = try h.submit("y", after: [x], webhook: Self.hook)
        let lease = try #require(try h.claim().first { $0.id == x })
        try h.apply { $0.failJob = .with { $0.request = .with { $0.jobID = x; $0.token = lease.token; $0.error = "boom" } } }
        let late = try h.submit("late", after: [x], webhook: Self.hook)
        let plain = try h.submit("plain")
        try h.apply { $0.cancelJobs = .with { $0.jobID = plain } }
        #expect(Set(h.state.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id)) == [x, y, late])
        #expect(try h.job(x).status == .failed && h.job(y).status == .cancelled && h.job(late).status == .cancelled)

        // A snapshot keeps what is pending; clearing a job drops its delivery.
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: try h.state.snapshot(lastSequence: 1).serializedBytes() as Data))
        #expect(restored.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id) == h.state.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id))
        var replayed = RipState()
        for record in h.records { _ = try replayed.apply(record) }
        #expect(replayed.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id) == h.state.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id))
        #expect(h.state.jobs.dueWebhooks(at: h.now, limit: 2).count == 2, "at most the limit")
        #expect(h.state.jobs.dueWebhooks(at: h.now, limit: 10, busy: { $0 == x }).map(\.id).contains(x) == false, "busy ones are skipped")
        #expect(try h.replayed() == h.state.snapshot(lastSequence: 0).jobs)
        try h.apply { $0.jobsClear = .with { $0.jobID = x } }
        #expect(Set(h.state.jobs.dueWebhooks(at: h.now, limit: 10).map(\.id)) == [y, late])
    }
}
