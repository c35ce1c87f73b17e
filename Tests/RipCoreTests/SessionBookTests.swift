import RipCore
import RipProto
import RipBase
import Testing

/// Drives `RipState.apply` with hand-built mutations at pinned times.
struct Harness {
    var state = RipState()
    var now: UnixMillis = 1_800_000_000_000
    var limit = RipSessionLimit.with { $0.maxSessions = 100 }
    var log: [RipMutation] = []

    @discardableResult
    mutating func apply(_ build: (inout RipMutation) -> Void) throws -> Applied {
        var mutation = RipMutation()
        mutation.timeUnixMs = now
        mutation.sessionLimit = limit
        mutation.newSessionID = RipID.session.generate()
        build(&mutation)
        let applied = try state.apply(mutation)
        log.append(mutation)
        return applied
    }

    @discardableResult
    mutating func create(_ name: String, timeout: UInt64 = 0, tags: [String] = [], parent: String = "") throws
        -> RipSession
    {
        try apply {
            $0.createSession = .with {
                $0.name = name
                $0.timeoutMinutes = timeout
                $0.tags = tags
                $0.parent = parent
            }
        }.session
    }

    func code(_ body: () throws -> Void) -> RipStatusCode? {
        do {
            try body()
            return nil
        } catch let error as RipError {
            return error.code
        } catch {
            return .unknown
        }
    }
}

@Suite("Sessions")
struct SessionBookTests {
    @Test("a created session is found by name and by id")
    func createAndFind() throws {
        var h = Harness()
        let session = try h.create("crawl", tags: ["a", "a", "b"])
        #expect(RipID.session.isWellFormed(session.id))
        #expect(session.state == .active)
        #expect(session.tags == ["a", "b"])
        #expect(session.createdAt.unixMillis == h.now)
        #expect(try h.state.sessions.find("crawl") == session)
        #expect(try h.state.sessions.find(session.id) == session)
        #expect(h.code { _ = try h.state.sessions.find("nope") } == .notFound)
    }

    @Test("a second session with the same name is ALREADY_EXISTS")
    func duplicateName() throws {
        var h = Harness()
        try h.create("crawl")
        #expect(h.code { try h.create("crawl") } == .alreadyExists)
        #expect(h.state.sessions.count == 1)
    }

    @Test("invalid names are INVALID_ARGUMENT", arguments: [
        "", String(repeating: "x", count: 129), "tab\there", "new\nline", " lead", "trail ",
        "sess_0123456789abcdef0123456789abcdef",
    ])
    func invalidNames(name: String) {
        var h = Harness()
        #expect(h.code { try h.create(name) } == .invalidArgument)
        #expect(h.state.sessions.count == 0)
    }

    @Test("names may be any printable text up to 128 characters", arguments: [
        "a", "prod-eu.1", "Ünïcödé ✓", String(repeating: "x", count: 128),
    ])
    func validNames(name: String) throws {
        var h = Harness()
        #expect(try h.create(name).name == name)
    }

    @Test("header names must be RFC 9110 tokens, values free of CR/LF", arguments: [
        ("X-Ok", "v", true), ("Bad Name", "v", false), ("", "v", false), ("X:Y", "v", false),
        ("X-Ok", "a\r\nInjected: 1", false), ("X-Ok", "tab\tok", true), ("!#$%&'*+-.^_`|~09azAZ", "v", true),
    ])
    func headerRules(name: String, value: String, valid: Bool) throws {
        var h = Harness()
        try h.create("s")
        let code = h.code {
            try h.apply { $0.addHeaders = .with { $0.session = "s"; $0.headers = [name: value] } }
        }
        #expect(code == (valid ? nil : .invalidArgument))
    }

    @Test("headers replace case-insensitively and are removed case-insensitively")
    func headersCaseInsensitive() throws {
        var h = Harness()
        try h.create("s")
        try h.apply { $0.addHeaders = .with { $0.session = "s"; $0.headers = ["authorization": "a"] } }
        let session = try h.apply { $0.addHeaders = .with { $0.session = "s"; $0.headers = ["Authorization": "b"] } }.session
        #expect(session.headers == ["Authorization": "b"])
        let removed = try h.apply { $0.removeHeaders = .with { $0.session = "s"; $0.names = ["AUTHORIZATION"] } }.session
        #expect(removed.headers.isEmpty)
        #expect(h.code { try h.apply { $0.removeHeaders = .with { $0.session = "s"; $0.names = ["X"] } } } == .notFound)
        // Only letters fold: '^' and '~' differ by the case bit but are different names.
        try h.apply { $0.addHeaders = .with { $0.session = "s"; $0.headers = ["X^": "1", "X~": "2"] } }
        let both = try h.apply { $0.removeHeaders = .with { $0.session = "s"; $0.names = ["x^"] } }.session
        #expect(both.headers == ["X~": "2"])
    }

    @Test("lifecycle transitions follow reference 004", arguments: [
        (RipSessionState.active, RipSessionState.suspended, true),
        (.suspended, .active, true), (.active, .completed, true), (.suspended, .failed, true),
        (.active, .active, false), (.completed, .active, false), (.failed, .suspended, false),
        (.completed, .failed, false),
    ])
    func transitions(from: RipSessionState, to: RipSessionState, allowed: Bool) throws {
        var h = Harness()
        try h.create("s")
        if from != .active {
            if from == .completed || from == .failed {
                try h.apply { $0.changeSessionState = .with { $0.session = "s"; $0.state = from; $0.reason = "r" } }
            } else {
                try h.apply { $0.changeSessionState = .with { $0.session = "s"; $0.state = from } }
            }
        }
        let code = h.code {
            try h.apply { $0.changeSessionState = .with { $0.session = "s"; $0.state = to; $0.reason = "why" } }
        }
        #expect(code == (allowed ? nil : .failedPrecondition))
        #expect(try h.state.sessions.find("s").state == (allowed ? to : from))
    }

    @Test("failing a session needs a reason")
    func failNeedsReason() throws {
        var h = Harness()
        try h.create("s")
        #expect(h.code { try h.apply { $0.changeSessionState = .with { $0.session = "s"; $0.state = .failed } } } == .invalidArgument)
    }

    @Test("a session expires timeout minutes after its last use; use and extend push it later")
    func expiry() throws {
        var h = Harness()
        let start = h.now
        try h.create("s", timeout: 10)
        #expect(try h.state.sessions.find("s").expiresAt.unixMillis == start + 600_000)
        h.now += 5 * 60_000
        try h.apply { $0.recordRequest = .with { $0.session = "s"; $0.url = "https://a.example/"; $0.success = true } }
        #expect(try h.state.sessions.find("s").expiresAt.unixMillis == start + 15 * 60_000)
        try h.apply { $0.extendSession = .with { $0.session = "s"; $0.minutes = 30 } }
        #expect(try h.state.sessions.find("s").expiresAt.unixMillis == start + 45 * 60_000)
        #expect(h.state.sessions.expired(at: start + 45 * 60_000 - 1).isEmpty)
        #expect(h.state.sessions.expired(at: start + 45 * 60_000).map(\.name) == ["s"])
    }

    @Test("cleanup removes exactly the expired sessions; list --active skips them")
    func cleanup() throws {
        var h = Harness()
        try h.create("short", timeout: 1)
        try h.create("long", timeout: 60)
        try h.create("forever")
        h.now += 2 * 60_000
        let active = try h.state.sessions.list(.with { $0.activeOnly = true }, now: h.now).map(\.name)
        #expect(active == ["forever", "long"])  // same creation time: by name
        #expect(h.code {
            try h.apply { $0.recordRequest = .with { $0.session = "short"; $0.url = "http://x.example/" } }
        } == .failedPrecondition)
        let removed = try h.apply { $0.cleanupSessions = .init() }.sessions.map(\.name)
        #expect(removed == ["short"])
        #expect(h.state.sessions.count == 2)
    }

    @Test("the session limit rejects, or evicts the least recently used")
    func limit() throws {
        var h = Harness()
        h.limit.maxSessions = 2
        try h.create("old")
        h.now += 1
        try h.create("new")
        h.now += 1
        try h.apply { $0.useSession = .with { $0.session = "old" } }
        #expect(h.code { try h.create("third") } == .resourceExhausted)
        h.limit.evictLru = true
        let applied = try h.apply { $0.createSession = .with { $0.name = "third" } }
        #expect(applied.events.map(\.kind) == [.deleted, .created])
        #expect(applied.events.first?.session.name == "new")
        #expect(try h.state.sessions.list(.init(), now: h.now).map(\.name) == ["old", "third"])
    }

    @Test("removing a parent turns its children into roots and clears the current session")
    func removeParent() throws {
        var h = Harness()
        let parent = try h.create("parent")
        let child = try h.create("child", parent: "parent")
        #expect(child.parentID == parent.id)
        #expect(try h.state.sessions.list(.with { $0.parent = "parent" }, now: h.now).map(\.name) == ["child"])
        try h.apply { $0.useSession = .with { $0.session = "parent" } }
        #expect(try h.state.sessions.current().name == "parent")
        let applied = try h.apply { $0.deleteSessions = .with { $0.sessions = ["parent"] } }
        #expect(applied.sessions.map(\.name) == ["parent"])
        #expect(try h.state.sessions.find("child").parentID == "")
        #expect(h.code { _ = try h.state.sessions.current() } == .notFound)
    }

    @Test("delete by names is all or nothing; delete by tag takes every tagged session")
    func deleteRules() throws {
        var h = Harness()
        try h.create("a", tags: ["tmp"])
        try h.create("b", tags: ["tmp"])
        try h.create("c")
        #expect(h.code { try h.apply { $0.deleteSessions = .with { $0.sessions = ["a", "missing"] } } } == .notFound)
        #expect(h.state.sessions.count == 3)
        let removed = try h.apply { $0.deleteSessions = .with { $0.tag = "tmp" } }.sessions.map(\.name)
        #expect(removed == ["a", "b"])
        #expect(h.code { try h.apply { $0.deleteSessions = .with { $0.tag = "x"; $0.sessions = ["c"] } } } == .invalidArgument)
    }

    @Test("record-request counts successes and errors and needs an http(s) URL and an active session")
    func recordRequest() throws {
        var h = Harness()
        try h.create("s")
        for (url, ok) in [("https://a.example/1", true), ("http://a.example/2", false), ("https://b.example/", true)] {
            try h.apply { $0.recordRequest = .with { $0.session = "s"; $0.url = url; $0.success = ok } }
        }
        let metadata = try h.state.sessions.find("s").metadata
        #expect([metadata.requestsCount, metadata.successCount, metadata.errorCount] == [3, 2, 1])
        #expect(metadata.lastRequestURL == "https://b.example/")
        #expect(try h.state.sessions.stats(.init(), now: h.now).requestsCount == 3)
        for good in ["HTTPS://A.example", "http://user@host:8080/p?q#f", "https://[::1]/"] {
            #expect(h.code { try h.apply { $0.recordRequest = .with { $0.session = "s"; $0.url = good } } } == nil, "\(good)")
        }
        for bad in ["", "ftp://a.example/", "not a url", "https://", "/relative", "https:///path", "http://a b/", "https://:80/"] {
            #expect(h.code { try h.apply { $0.recordRequest = .with { $0.session = "s"; $0.url = bad } } } == .invalidArgument)
        }
        try h.apply { $0.changeSessionState = .with { $0.session = "s"; $0.state = .suspended } }
        #expect(h.code {
            try h.apply { $0.recordRequest = .with { $0.session = "s"; $0.url = "https://a.example/" } }
        } == .failedPrecondition)
        let stats = try h.state.sessions.stats(.init(), now: h.now)
        #expect(stats.sessions == 1 && stats.suspended == 1 && stats.requestsCount == 6)
        #expect(abs(stats.successRate - 2.0 / 6.0) < 1e-9)
    }

    @Test("update changes only what it names; a rejected update changes nothing")
    func update() throws {
        var h = Harness()
        try h.create("s", tags: ["a", "b"])
        let before = try h.state.sessions.find("s")
        #expect(h.code {
            try h.apply { $0.updateSession = .with { $0.session = "s"; $0.addTags = ["ok"]; $0.userAgent = .init("bad\r\n") } }
        } == .invalidArgument)
        #expect(try h.state.sessions.find("s") == before)
        h.now += 1000
        let after = try h.apply {
            $0.updateSession = .with {
                $0.session = "s"
                $0.description_p = .init("d")
                $0.addTags = ["c"]
                $0.removeTags = ["a"]
                $0.timeoutMinutes = .init(5)
            }
        }.session
        #expect(after.description_p == "d")
        #expect(after.tags == ["b", "c"])
        #expect(after.timeoutMinutes == 5)
        #expect(after.expiresAt.unixMillis == before.lastUsedAt.unixMillis + 5 * 60_000)
        #expect(after.updatedAt.unixMillis == h.now)
    }

    @Test("clone copies settings and, if asked, headers; clear empties headers")
    func cloneAndClear() throws {
        var h = Harness()
        try h.create("src", timeout: 7, tags: ["t"])
        try h.apply { $0.addHeaders = .with { $0.session = "src"; $0.headers = ["X-A": "1"] } }
        let with = try h.apply { $0.cloneSession = .with { $0.from = "src"; $0.to = "with"; $0.headers = true } }.session
        let without = try h.apply { $0.cloneSession = .with { $0.from = "src"; $0.to = "without" } }.session
        #expect(with.headers == ["X-A": "1"] && with.tags == ["t"] && with.timeoutMinutes == 7)
        #expect(without.headers.isEmpty)
        let cleared = try h.apply { $0.sessionClear = .with { $0.session = "with"; $0.headers = true } }.session
        #expect(cleared.headers.isEmpty)
        #expect(h.code { try h.apply { $0.sessionClear = .with { $0.session = "with" } } } == .invalidArgument)
    }

    @Test("import restores times and counters, and overwrites only when asked")
    func importSession() throws {
        var h = Harness()
        var exported = RipSession()
        exported.name = "restored"
        exported.createdAt = .init(unixMillis: 1_000)
        exported.lastUsedAt = .init(unixMillis: 2_000)
        exported.metadata.requestsCount = 9
        exported.state = .suspended
        let imported = try h.apply { $0.importSession = .with { $0.session = exported } }.session
        #expect(imported.createdAt.unixMillis == 1_000 && imported.metadata.requestsCount == 9)
        #expect(imported.state == .suspended)
        #expect(h.code { try h.apply { $0.importSession = .with { $0.session = exported } } } == .alreadyExists)
        exported.metadata.requestsCount = 10
        let replaced = try h.apply { $0.importSession = .with { $0.session = exported; $0.overwrite = true } }.session
        #expect(replaced.id == imported.id && replaced.metadata.requestsCount == 10)
    }

    @Test("replaying the same mutations gives the same state")
    func replayIsDeterministic() throws {
        var h = Harness()
        h.limit.maxSessions = 3
        h.limit.evictLru = true
        for i in 0..<6 {
            h.now += 1000
            try h.create("s\(i)", timeout: UInt64(i), tags: ["t\(i % 2)"])
            try h.apply { $0.recordRequest = .with { $0.session = "s\(i)"; $0.url = "https://x.example/\(i)" } }
        }
        try h.apply { $0.deleteSessions = .with { $0.tag = "t1" } }
        var replayed = RipState()
        for mutation in h.log { _ = try replayed.apply(mutation) }
        let now = h.now
        #expect(try replayed.sessions.list(.init(), now: now) == h.state.sessions.list(.init(), now: now))
    }
}
