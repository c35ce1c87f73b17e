import Foundation
import RipProto
import Testing

@testable import RipCore

/// The RFC 6265bis rules the http-state suite does not reach: secure origins, shadowing, IP
/// and public-suffix domains, prefixes, SameSite, limits, and the plan/apply split.
@Suite("Cookie jar")
struct CookieJarTests {
    static let now: UnixMillis = 1_800_000_000_000
    static let publicSuffixes = PublicSuffixList(text: """
        // test list
        com
        uk
        co.uk
        *.ck
        !www.ck
        github.io
        公司.cn
        cn
        """)

    var jar = CookieJar()
    var now = Self.now
    var limits = CookieJar.Limits()
    let parser = SetCookieParser(publicSuffixes: Self.publicSuffixes)

    /// Stores `line` as received from `url`; the rejection reason, or nil when stored.
    @discardableResult
    mutating func store(_ line: String, from url: String, context: SameSiteContext = .sameSite) throws -> String? {
        let url = try CookieURL(url)
        do throws(CookieRejection) {
            let cookie = try parser.parse(line, from: url, now: now, context: context)
            _ = try jar.planStore(cookie, fromSecureOrigin: url.isSecure, now: now, limits: limits)
            return nil
        } catch {
            return error.reason
        }
    }

    mutating func header(_ url: String, context: SameSiteContext = .sameSite) throws -> String {
        jar.retrieve(for: try CookieURL(url), now: now, context: context).header
    }

    @Test func secureNeedsASecureOriginButLoopbackCounts() throws {
        var t = CookieJarTests()
        #expect(try t.store("a=1; Secure", from: "http://example.com/") != nil)
        #expect(try t.store("a=1; Secure", from: "https://example.com/") == nil)
        #expect(try t.store("b=2; Secure", from: "http://localhost:8080/") == nil)
        #expect(try t.store("c=3; Secure", from: "http://127.0.0.1/") == nil)
        #expect(try t.store("d=4; Secure", from: "http://[::1]/") == nil)
        #expect(try t.header("http://example.com/") == "")
        #expect(try t.header("https://example.com/") == "a=1")
        #expect(try t.header("http://localhost/") == "b=2")
    }

    @Test func aNonSecureOriginCannotShadowASecureCookie() throws {
        var t = CookieJarTests()
        #expect(try t.store("sid=secure; Secure; Domain=example.com", from: "https://example.com/") == nil)
        #expect(try t.store("sid=evil", from: "http://www.example.com/") != nil)
        #expect(try t.store("sid=evil; Path=/other", from: "http://example.com/") != nil)  // inside "/": blocked
        #expect(try t.store("tok=s; Secure; Path=/account", from: "https://example.com/") == nil)
        #expect(try t.store("tok=plain; Path=/", from: "http://example.com/") == nil)  // "/" is not inside /account
        #expect(try t.store("sid=fine", from: "https://www.example.com/") == nil)
    }

    @Test func ipAddressHostsAreHostOnly() throws {
        var t = CookieJarTests()
        #expect(try t.store("a=1; Domain=127.0.0.1", from: "http://127.0.0.1/") == nil)
        #expect(try t.store("b=2; Domain=0.0.1", from: "http://127.0.0.1/") != nil)
        #expect(t.jar.all.map(\.hostOnly) == [true])
        #expect(try t.header("http://127.0.0.1/x") == "a=1")
        #expect(try t.header("http://10.127.0.0.1/") == "")
    }

    @Test func publicSuffixesCannotBeCookieDomains() throws {
        var t = CookieJarTests()
        #expect(try t.store("a=1; Domain=co.uk", from: "https://example.co.uk/")?.contains("public suffix") == true)
        #expect(try t.store("a=1; Domain=example.co.uk", from: "https://www.example.co.uk/") == nil)
        #expect(try t.store("w=1; Domain=foo.ck", from: "https://a.foo.ck/") != nil)  // *.ck
        #expect(try t.store("w=2; Domain=www.ck", from: "https://a.www.ck/") == nil)  // !www.ck
        // A host that is itself a public suffix may set a host-only cookie on itself.
        #expect(try t.store("gh=1; Domain=github.io", from: "https://github.io/") == nil)
        #expect(t.jar.all.first { $0.name == "gh" }?.hostOnly == true)
        #expect(try t.header("https://user.github.io/") == "")
        #expect(try t.header("https://b.www.ck/") == "w=2")
    }

    @Test func hostsAreCanonicalizedToALabels() throws {
        var t = CookieJarTests()
        #expect(try CookieURL("https://BÜCHER.example/").host == "xn--bcher-kva.example")
        #expect(try t.store("a=1; Domain=bücher.example", from: "https://www.bücher.example/") == nil)
        #expect(t.jar.all.first?.domain == "xn--bcher-kva.example")
        #expect(try t.header("https://xn--bcher-kva.example/") == "a=1")
        #expect(Self.publicSuffixes.isPublicSuffix("xn--55qx5d.cn"))  // 公司.cn
    }

    @Test func maxAgeWinsOverExpiresAndBothAreCapped() throws {
        var t = CookieJarTests()
        try t.store("a=1; Max-Age=60; Expires=Wed, 01 Jan 2100 00:00:00 GMT", from: "https://example.com/")
        #expect(t.jar.all.first?.expiry == Self.now + 60_000)
        try t.store("b=1; Expires=Wed, 01 Jan 2100 00:00:00 GMT", from: "https://example.com/")
        try t.store("c=1; Max-Age=999999999999999999999", from: "https://example.com/")
        #expect(t.jar.all.dropFirst().map(\.expiry) == [Self.now + SetCookieParser.maximumAge, Self.now + SetCookieParser.maximumAge])
        try t.store("a=gone; Max-Age=0", from: "https://example.com/")
        try t.store("b=gone; Max-Age=-1", from: "https://example.com/")
        #expect(try t.header("https://example.com/") == "c=1")
        t.now += SetCookieParser.maximumAge
        #expect(try t.header("https://example.com/") == "")
    }

    @Test func prefixesAreEnforced() throws {
        var t = CookieJarTests()
        #expect(try t.store("__Secure-a=1", from: "https://example.com/") != nil)
        #expect(try t.store("__Secure-a=1; Secure", from: "https://example.com/") == nil)
        #expect(try t.store("__secure-b=1; Secure", from: "http://example.com/") != nil)
        #expect(try t.store("__Host-c=1; Secure; Path=/; Domain=example.com", from: "https://example.com/") != nil)
        #expect(try t.store("__Host-c=1; Secure", from: "https://example.com/") != nil)  // no Path=/
        #expect(try t.store("__Host-c=1; Secure; Path=/", from: "https://example.com/a/b") == nil)
        #expect(try t.store("=__Host-d", from: "https://example.com/") != nil)
    }

    @Test func sameSiteFollowsTheRequestContext() throws {
        var t = CookieJarTests()
        try t.store("n=1; SameSite=None; Secure", from: "https://example.com/")
        try t.store("l=1; SameSite=Lax", from: "https://example.com/")
        try t.store("s=1; SameSite=Strict", from: "https://example.com/")
        try t.store("d=1", from: "https://example.com/")
        #expect(try t.store("x=1; SameSite=None", from: "https://example.com/") != nil)  // None needs Secure
        #expect(try t.store("y=1", from: "https://example.com/", context: .crossSite) != nil)
        #expect(try t.header("https://example.com/") == "n=1; l=1; s=1; d=1")
        #expect(try t.header("https://example.com/", context: .crossSite) == "n=1")
        #expect(try t.header("https://example.com/", context: .crossSiteTopLevelNavigation) == "n=1; l=1; d=1")
    }

    @Test func replacementKeepsTheCreationTimeAndOrder() throws {
        var t = CookieJarTests()
        try t.store("a=1", from: "https://example.com/")
        t.now += 1000
        try t.store("b=1", from: "https://example.com/")
        try t.store("c=1; Path=/deep", from: "https://example.com/")
        t.now += 1000
        try t.store("a=2", from: "https://example.com/")
        #expect(try t.header("https://example.com/deep/x") == "c=1; a=2; b=1")
        #expect(t.jar.all.first { $0.name == "a" }?.creation == Self.now)
    }

    @Test func valuesAndNamesAreKeptByteForByte() throws {
        var t = CookieJarTests()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        try t.store("\(composed)=1", from: "https://example.com/")
        try t.store("\(decomposed)=2", from: "https://example.com/")
        try t.store("q=\"a b\\\" c\"; Path=/", from: "https://example.com/")
        #expect(t.jar.count == 3)
        let header = try t.header("https://example.com/")
        #expect(Array(header.utf8) == Array("\(composed)=1; \(decomposed)=2; q=\"a b\\\" c\"".utf8))
    }

    @Test func limitsEvictTheLeastRecentlyUsedNonSecureCookiesFirst() throws {
        var t = CookieJarTests()
        t.limits = CookieJar.Limits(perDomain: 3, total: 5)
        try t.store("s=1; Secure", from: "https://a.example/")
        t.now += 1
        try t.store("x=1", from: "https://a.example/")
        t.now += 1
        try t.store("y=1", from: "https://a.example/")
        t.now += 1
        _ = try t.header("https://a.example/")  // touches all three
        t.now += 1
        try t.store("z=1", from: "https://a.example/")  // over 3: the oldest non-secure (x) goes
        #expect(t.jar.all.map(\.name) == ["s", "y", "z"])
        for host in ["b.example", "c.example", "d.example"] {
            t.now += 1
            try t.store("k=1", from: "https://\(host)/")
        }
        #expect(t.jar.count == 5)
        #expect(!t.jar.all.contains { $0.name == "y" })  // least recently used non-secure overall
        #expect(t.jar.all.contains { $0.name == "s" })
    }

    @Test func aPlannedChangeReplaysToTheSameJarAndSurvivesASnapshot() throws {
        var h = Harness()
        let session = try h.create("crawl")
        let policy = CookiePolicy(publicSuffixes: Self.publicSuffixes, limits: .init(perDomain: 2, total: 10))
        for line in ["a=1", "b=2; Secure", "c=3", "d=4; Domain=example.com; HttpOnly; SameSite=Strict"] {
            let request = RipStoreResponseCookiesRequest.with {
                $0.session = "crawl"
                $0.url = "https://www.example.com/p"
                $0.setCookieLines = [line]
            }
            let parsed = try RipState.ParsedResponseCookies(request, parser: policy.parser, now: h.now)
            let result = try h.state.storeResponseCookies(parsed, limits: policy.limits, now: h.now)
            #expect(result.response.outcomes.allSatisfy { $0.stored })
            if var mutation = result.mutation {
                mutation.timeUnixMs = h.now
                h.log.append(mutation)
            }
            h.now += 1
        }
        var replayed = RipState()
        for mutation in h.log { _ = try replayed.apply(mutation) }
        let live = h.state.cookieJars[session.id]?.all
        #expect(live?.map(\.name) == ["b", "c", "d"])
        #expect(replayed.cookieJars[session.id]?.all == live)
        let bytes: [UInt8] = try h.state.snapshot(lastSequence: 1).serializedBytes()
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: bytes))
        #expect(restored.cookieJars[session.id]?.all == live)
        try h.apply { $0.deleteSessions = .with { $0.sessions = ["crawl"] } }
        #expect(h.state.cookieJars.isEmpty)
    }
}
