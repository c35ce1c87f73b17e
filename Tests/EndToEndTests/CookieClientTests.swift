import Foundation
import RipClient
import RipProto
import Testing

@Suite("Cookie jars through RipClient")
struct CookieClientTests {
    func store(_ client: RipClient, _ session: String, _ url: String, _ lines: [String]) async throws -> [RipCookieOutcome] {
        try await client.storeResponseCookies(.with {
            $0.session = session
            $0.url = url
            $0.setCookieLines = lines
        }).outcomes
    }

    func header(_ client: RipClient, _ session: String, _ url: String) async throws -> String {
        try await client.cookieHeader(.with {
            $0.session = session
            $0.url = url
        }).header
    }

    @Test("a redirect chain's cookies, from http and https hops, go where RFC 6265bis says")
    func redirectChain() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "crawl" })
        let hop1 = try await store(client, "crawl", "http://example.com/login", ["tracking=1; Domain=example.com", "sid=a b"])
        let hop2 = try await store(client, "crawl", "https://accounts.example.com/auth?x=1",
            ["auth=tok; Secure; HttpOnly; Path=/", "__Host-k=v; Secure; Path=/", "bad=1; Domain=other.org", "=; Path=/"])
        #expect(hop1.allSatisfy { $0.stored })
        #expect(hop2.map(\.stored) == [true, true, false, false])
        #expect(hop2[2].rejection.contains("domain-match"))
        #expect(hop2[1].cookie.hostOnly && hop2[1].cookie.domain == "accounts.example.com")

        #expect(try await header(client, "crawl", "https://accounts.example.com/home") == "tracking=1; auth=tok; __Host-k=v")
        #expect(try await header(client, "crawl", "http://accounts.example.com/home") == "tracking=1")
        #expect(try await header(client, "crawl", "http://example.com/login/next") == "tracking=1; sid=a b")
        let looked = try await client.cookieHeader(.with { $0.session = "crawl"; $0.url = "https://www.example.com/" })
        #expect(looked.cookies.map(\.name) == ["tracking"] && looked.cookies[0].lastAccessedAt.seconds > 0)
        let bare = try await client.cookieHeader(.with { $0.session = "crawl"; $0.url = "https://www.example.com/"; $0.headerOnly = true })
        #expect(bare.header == "tracking=1" && bare.cookies.isEmpty)
        let cross = try await client.cookieHeader(.with {
            $0.session = "crawl"
            $0.url = "https://accounts.example.com/"
            $0.context = .crossSite
        })
        #expect(cross.header.isEmpty)

        // The bundled Public Suffix List is in force.
        let suffix = try await store(client, "crawl", "https://shop.example.co.uk/", ["a=1; Domain=co.uk", "b=1; Domain=example.co.uk"])
        #expect(suffix.map(\.stored) == [false, true] && suffix[0].rejection.contains("public suffix"))
        let pages = try await store(client, "crawl", "https://user.github.io/", ["c=1; Domain=github.io"])
        #expect(!pages[0].stored)
    }

    @Test("list, set, delete, clear and import; clone copies a jar, clear empties it, delete drops it")
    func management() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        _ = try await store(client, "s", "https://a.example.com/", ["x=1", "y=2; Domain=example.com", "z=3; Max-Age=600"])
        _ = try await store(client, "s", "https://b.example.org/", ["w=4"])
        #expect(try await client.listCookies(.with { $0.session = "s" }).cookies.map(\.name) == ["x", "y", "z", "w"])
        #expect(try await client.listCookies(.with { $0.session = "s"; $0.domain = "example.com" }).cookies.map(\.name) == ["x", "y", "z"])

        let set = try await client.setCookie(.with {
            $0.session = "s"
            $0.cookie = .with {
                $0.name = "manual"
                $0.value = "v"
                $0.domain = ".Example.COM"
                $0.secure = true
                $0.sameSite = .strict
            }
        })
        #expect(set.domain == "example.com" && !set.hostOnly && set.path == "/" && set.createdAt.seconds > 0)
        #expect(try await header(client, "s", "https://deep.a.example.com/") == "y=2; manual=v")
        let invalid = await #expect(throws: RipError.self) {
            _ = try await client.setCookie(.with { $0.session = "s"; $0.cookie = .with { $0.name = "n"; $0.value = "v"; $0.domain = "com" } })
        }
        #expect(invalid?.code == .invalidArgument && invalid?.message.contains("public suffix") == true)

        let deleted = try await client.deleteCookie(.with { $0.session = "s"; $0.name = "x"; $0.domain = "a.example.com" })
        #expect(deleted.deleted.map(\.name) == ["x"])
        let missing = await #expect(throws: RipError.self) {
            _ = try await client.deleteCookie(.with { $0.session = "s"; $0.name = "x"; $0.domain = "a.example.com" })
        }
        #expect(missing?.code == .notFound)

        let clone = try await client.cloneSession(.with { $0.from = "s"; $0.to = "copy"; $0.cookies = true })
        let bare = try await client.cloneSession(.with { $0.from = "s"; $0.to = "bare" })
        #expect(try await client.listCookies(.with { $0.session = clone.id }).cookies.count == 4)
        #expect(try await client.listCookies(.with { $0.session = bare.id }).cookies.isEmpty)

        let cleared = try await client.clearCookies(.with { $0.session = "s"; $0.domain = "example.org" })
        #expect(cleared.removed.map(\.name) == ["w"])
        _ = try await client.clearSession(.with { $0.session = "s"; $0.cookies = true })
        #expect(try await client.listCookies(.with { $0.session = "s" }).cookies.isEmpty)

        let exported = try await client.listCookies(.with { $0.session = "copy" }).cookies
        let imported = try await client.importCookies(.with {
            $0.session = "s"
            $0.cookies = exported + [.with { $0.name = "bad"; $0.value = "v"; $0.domain = "" }]
        })
        #expect(imported.outcomes.map(\.stored) == [true, true, true, true, false])
        #expect(try await client.listCookies(.with { $0.session = "s" }).cookies.map(\.createdAt) == exported.map(\.createdAt))

        _ = try await client.deleteSessions(.with { $0.sessions = ["copy"] })
        _ = try await client.createSession(.with { $0.name = "copy" })
        #expect(try await client.listCookies(.with { $0.session = "copy" }).cookies.isEmpty)
    }

    @Test("bad input gets a clear status and the daemon keeps serving", arguments: [
        ("unknown session", RipStatusCode.notFound, "no session named"),
        ("relative url", .invalidArgument, "absolute"),
        ("ftp url", .invalidArgument, "http, https"),
        ("no host", .invalidArgument, "no host"),
    ])
    func errors(case name: String, code: RipStatusCode, hint: String) async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let url = ["relative url": "/path", "ftp url": "ftp://example.com/", "no host": "https:///x"][name] ?? "https://e.example/"
        let error = await #expect(throws: RipError.self) {
            _ = try await client.storeResponseCookies(.with {
                $0.session = name == "unknown session" ? "nope" : "s"
                $0.url = url
                $0.setCookieLines = ["a=1"]
            })
        }
        #expect(error?.code == code && error?.message.contains(hint) == true, "\(String(describing: error))")
        #expect(try await store(client, "s", "https://e.example/", ["ok=1"]).first?.stored == true)
    }

    @Test("--public-suffix-list replaces the bundled list; --cookies-per-domain limits a domain")
    func configuration() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-psl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let list = directory.appendingPathComponent("list.dat")
        try Data("// private list\nexample.com\n".utf8).write(to: list)
        let daemon = try await Daemon(arguments: ["--public-suffix-list", list.path, "--cookies-per-domain", "2"])
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let outcomes = try await store(client, "s", "https://www.example.com/", ["a=1; Domain=example.com", "b=1; Domain=co.uk"])
        #expect(outcomes.map(\.stored) == [false, false])
        _ = try await store(client, "s", "https://www.example.com/", ["c=1", "d=1", "e=1"])
        #expect(try await header(client, "s", "https://www.example.com/") == "d=1; e=1")

        let unreadable = try await Daemon.runToExit(["--public-suffix-list", "/nonexistent/list.dat", "--socket", directory.appendingPathComponent("x.sock").path, "--data-dir", directory.appendingPathComponent("d").path])
        #expect(unreadable.status != 0 && unreadable.stderr.contains("--public-suffix-list"))
    }
}
