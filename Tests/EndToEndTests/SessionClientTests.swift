import Foundation
import RipClient
import RipProto
import Testing

@Suite("Sessions through RipClient")
struct SessionClientTests {
    @Test("the full session life: create, look up, change, count, end, remove")
    func lifecycle() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let parent = try await client.createSession(.with {
            $0.name = "production"
            $0.description_p = "Production crawl"
            $0.tags = ["prod", "stable"]
            $0.headers = ["X-Api-Key": "k"]
            $0.userAgent = "Bot/1.0"
            $0.timeoutMinutes = 120
        })
        let child = try await client.createSession(.with { $0.name = "child"; $0.parent = parent.id })
        #expect(child.parentID == parent.id)
        #expect(try await client.getSession(.with { $0.session = parent.id }) == parent)
        #expect(try await client.getSession(.with { $0.session = "production" }) == parent)

        let updated = try await client.updateSession(.with {
            $0.session = "production"
            $0.addTags = ["eu"]
            $0.removeTags = ["stable"]
            $0.userAgent = .init("Bot/2.0")
        })
        #expect(updated.tags == ["prod", "eu"] && updated.userAgent == "Bot/2.0")
        #expect(updated.description_p == "Production crawl")

        _ = try await client.recordRequest(.with { $0.session = "production"; $0.url = "https://a.example/"; $0.success = true })
        let counted = try await client.recordRequest(.with { $0.session = "production"; $0.url = "https://a.example/x" })
        #expect(counted.metadata.requestsCount == 2 && counted.metadata.errorCount == 1)
        let stats = try await client.sessionStats()
        #expect(stats.sessions == 2 && stats.active == 2 && stats.successRate == 0.5)

        #expect(try await client.useSession(.with { $0.session = "child" }).name == "child")
        #expect(try await client.getCurrentSession().name == "child")
        let created = try await client.useSession(.with { $0.session = "fresh"; $0.create = true })
        #expect(created.name == "fresh")
        #expect(try await client.getCurrentSession().id == created.id)

        let clone = try await client.cloneSession(.with { $0.from = "production"; $0.to = "staging"; $0.headers = true })
        #expect(clone.headers == ["X-Api-Key": "k"] && clone.id != parent.id)
        let extended = try await client.extendSession(.with { $0.session = "staging"; $0.minutes = 30 })
        #expect(extended.expiresAt.seconds > clone.expiresAt.seconds)

        _ = try await client.changeSessionState(.with { $0.session = "child"; $0.state = .suspended })
        #expect(try await client.listSessions(.with { $0.activeOnly = true }).sessions.map(\.name).contains("child") == false)
        #expect(try await client.listSessions(.with { $0.state = .suspended }).sessions.map(\.name) == ["child"])
        #expect(try await client.listSessions(.with { $0.tag = "prod" }).sessions.map(\.name) == ["production", "staging"])
        #expect(try await client.listSessions(.with { $0.parent = "production" }).sessions.map(\.name) == ["child"])
        _ = try await client.changeSessionState(.with { $0.session = "child"; $0.state = .failed; $0.reason = "blocked" })
        #expect(try await client.getSession(.with { $0.session = "child" }).failureReason == "blocked")

        let deleted = try await client.deleteSessions(.with { $0.sessions = ["production"] })
        #expect(deleted.deleted.map(\.name) == ["production"])
        #expect(try await client.getSession(.with { $0.session = "child" }).parentID == "")
    }

    @Test("bad input gets a status that says what to fix", arguments: [
        ("empty name", RipStatusCode.invalidArgument, "1–128"),
        ("unknown session", .notFound, "no session named"),
        ("bad header", .invalidArgument, "RFC 9110"),
        ("bad url", .invalidArgument, "http"),
        ("illegal transition", .failedPrecondition, "final"),
        ("duplicate", .alreadyExists, "already exists"),
    ])
    func errors(case name: String, code: RipStatusCode, hint: String) async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        _ = try await client.createSession(.with { $0.name = "done" })
        _ = try await client.changeSessionState(.with { $0.session = "done"; $0.state = .completed })
        let error = await #expect(throws: RipError.self) {
            switch name {
            case "empty name": _ = try await client.createSession(.with { $0.name = "" })
            case "unknown session": _ = try await client.getSession(.with { $0.session = "ghost" })
            case "bad header": _ = try await client.addHeaders(.with { $0.session = "s"; $0.headers = ["a b": "c"] })
            case "bad url": _ = try await client.recordRequest(.with { $0.session = "s"; $0.url = "ftp://x" })
            case "illegal transition": _ = try await client.changeSessionState(.with { $0.session = "done"; $0.state = .active })
            default: _ = try await client.createSession(.with { $0.name = "s" })
            }
        }
        #expect(error?.code == code)
        #expect(error?.message.contains(hint) == true, "message was: \(error?.message ?? "")")
        #expect(try await client.health().status == "SERVING")
    }

    @Test("--max-sessions rejects by default and evicts the least recently used with evict-lru")
    func sessionLimit() async throws {
        let rejecting = try await Daemon(arguments: ["--max-sessions", "2"])
        let client = try await rejecting.client()
        for name in ["a", "b"] { _ = try await client.createSession(.with { $0.name = name }) }
        let full = await #expect(throws: RipError.self) { _ = try await client.createSession(.with { $0.name = "c" }) }
        #expect(full?.code == .resourceExhausted)

        let evicting = try await Daemon(arguments: ["--max-sessions", "2", "--session-limit-policy", "evict-lru"])
        let other = try await evicting.client()
        for name in ["a", "b"] { _ = try await other.createSession(.with { $0.name = name }) }
        _ = try await other.useSession(.with { $0.session = "a" })
        _ = try await other.createSession(.with { $0.name = "c" })
        #expect(try await other.listSessions().sessions.map(\.name).sorted() == ["a", "c"])
    }

    @Test("expired sessions are removed by cleanup and by the background sweep")
    func expiry() async throws {
        let onDemand = try await Daemon()
        let client = try await onDemand.client()
        try await Self.importExpired(["old1", "old2"], into: client)
        _ = try await client.createSession(.with { $0.name = "live"; $0.timeoutMinutes = 5 })
        #expect(try await client.listSessions(.with { $0.activeOnly = true }).sessions.map(\.name) == ["live"])
        #expect(try await client.cleanupSessions().removed.map(\.name).sorted() == ["old1", "old2"])
        #expect(try await client.listSessions().sessions.map(\.name) == ["live"])

        let swept = try await Daemon(arguments: ["--cleanup-interval", "1"])
        let other = try await swept.client()
        try await Self.importExpired(["old3"], into: other)
        let log = try await swept.waitForLog("removed expired sessions")
        #expect(log.contains("count=1"))
        #expect(try await other.listSessions().sessions.isEmpty)
    }

    /// Imports sessions whose 5-minute timeout ran out an hour ago.
    static func importExpired(_ names: [String], into client: RipClient) async throws {
        let past = Date().addingTimeInterval(-3600)
        for name in names {
            _ = try await client.importSession(.with {
                $0.session = .with {
                    $0.name = name
                    $0.timeoutMinutes = 5
                    $0.createdAt = .init(date: past)
                    $0.lastUsedAt = .init(date: past)
                    $0.expiresAt = .init(date: past.addingTimeInterval(300))
                }
            })
        }
    }
}
