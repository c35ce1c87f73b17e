import Foundation
import Testing

@Suite("ripctl cookie commands and curl")
struct CookieCommandTests {
    /// A tiny HTTP server on 127.0.0.1 that sets cookies on /set and answers every request with
    /// the Cookie header it received.
    enum CookieServer {
        static let script = """
            import http.server
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    if self.path.startswith('/set-domain'):
                        self.send_header('Set-Cookie', 'wide=1; Domain=example.test; Path=/')
                        self.send_header('Set-Cookie', 'narrow=2; Path=/')
                    elif self.path.startswith('/set'):
                        self.send_header('Set-Cookie', 'sid=abc123; Path=/')
                        self.send_header('Set-Cookie', 'theme=dark; Max-Age=3600; Path=/')
                        self.send_header('Set-Cookie', 'secret=s3 cr3t; HttpOnly; Path=/')
                        self.send_header('Set-Cookie', 'scoped=1; Path=/app')
                    body = (self.headers.get('Cookie') or '').encode()
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """

        static func start() async throws -> PythonHTTPServer { try await PythonHTTPServer(script: script) }
    }

    static func curl(_ arguments: String...) async throws -> String { try await curl(arguments) }

    static func curl(_ arguments: [String]) async throws -> String {
        try await runToCompletion("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments, stdin: nil).stdout
    }

    /// The pairs of a Cookie header, order aside (curl orders equal-length paths its own way).
    static func pairs(_ header: String) -> Set<String> {
        Set(header.components(separatedBy: "; ").filter { !$0.isEmpty })
    }

    @Test("a jar curl wrote imports; its export is sent by curl -b exactly as curl's own jar is")
    func curlRoundTrip() async throws {
        let server = try await CookieServer.start()
        #expect(server.port > 0)
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let base = "http://127.0.0.1:\(server.port)"
        let curlJar = daemon.directory.appendingPathComponent("curl-jar.txt").path
        let exported = daemon.directory.appendingPathComponent("exported.txt").path
        _ = try await Self.curl("-c", curlJar, "\(base)/set")
        let direct = try await Self.curl("-b", curlJar, "\(base)/app/page")
        #expect(Self.pairs(direct) == ["scoped=1", "sid=abc123", "theme=dark", "secret=s3 cr3t"])

        #expect(try await ripctl("session", "new", "--name", "web").status == 0)
        let imported = try await ripctl("cookie", "import", "--session", "web", "--file", curlJar, "--format", "netscape", "--json")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((imported.json["outcomes"] as? [[String: Any]])?.count == 4)
        // Longest path first; cookies.txt keeps no creation times, so the rest follow the file's order.
        let header = try await ripctl("cookie", "header", "--session", "web", "--url", "\(base)/app/page").stdout
        #expect(header.hasPrefix("scoped=1; ") && Self.pairs(header.trimmingCharacters(in: .newlines)) == Self.pairs(direct))
        let listed = try await ripctl("cookie", "list", "--session", "web", "--json").json["cookies"] as? [[String: Any]]
        #expect(listed?.first { $0["name"] as? String == "secret" }?["http_only"] as? Bool == true)
        #expect(listed?.first { $0["name"] as? String == "theme" }?["expires"] != nil)

        #expect(try await ripctl("cookie", "export", "--session", "web", "--file", exported).status == 0)
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.hasPrefix("# Netscape HTTP Cookie File") && text.contains("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsecret\ts3 cr3t"))
        #expect(Self.pairs(try await Self.curl("-b", exported, "\(base)/app/page")) == Self.pairs(direct))
        #expect(Self.pairs(try await Self.curl("-b", exported, "\(base)/")) == ["sid=abc123", "theme=dark", "secret=s3 cr3t"])

        // A jar curl writes after reading ours imports again to the same cookies.
        let rewritten = daemon.directory.appendingPathComponent("rewritten.txt").path
        _ = try await Self.curl("-b", exported, "-c", rewritten, "\(base)/")
        #expect(try await ripctl("session", "new", "--name", "again").status == 0)
        #expect(try await ripctl("cookie", "import", "--session", "again", "--file", rewritten).status == 0)
        let again = try await ripctl("cookie", "header", "--session", "again", "--url", "\(base)/app/page").stdout
        #expect(Self.pairs(again.trimmingCharacters(in: .newlines)) == Self.pairs(direct))
    }

    @Test("curl's leading-dot domain cookies import as domain cookies and export with the dot again")
    func curlDomainCookies() async throws {
        let server = try await CookieServer.start()
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let resolve = ["www", "other"].flatMap { ["--resolve", "\($0).example.test:\(server.port):127.0.0.1"] }
        let www = "http://www.example.test:\(server.port)", other = "http://other.example.test:\(server.port)"
        let curlJar = daemon.directory.appendingPathComponent("curl-jar.txt").path
        let exported = daemon.directory.appendingPathComponent("exported.txt").path
        _ = try await Self.curl(resolve + ["-c", curlJar, "\(www)/set-domain"])
        #expect(try String(contentsOfFile: curlJar, encoding: .utf8).contains(".example.test\tTRUE\t/\tFALSE\t0\twide\t1"))
        #expect(try await Self.curl(resolve + ["-b", curlJar, "\(other)/"]) == "wide=1")

        #expect(try await ripctl("session", "new", "--name", "web").status == 0)
        #expect(try await ripctl("cookie", "import", "--session", "web", "--file", curlJar).status == 0)
        #expect(try await ripctl("cookie", "header", "--session", "web", "--url", "\(other)/").stdout == "wide=1\n")
        #expect(Self.pairs(try await ripctl("cookie", "header", "--session", "web", "--url", "\(www)/").stdout.trimmingCharacters(in: .newlines))
            == ["wide=1", "narrow=2"])
        #expect(try await ripctl("cookie", "export", "--session", "web", "--file", exported).status == 0)
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.contains(".example.test\tTRUE\t/\tFALSE\t0\twide\t1") && text.contains("www.example.test\tFALSE\t/\tFALSE\t0\tnarrow\t2"))
        #expect(try await Self.curl(resolve + ["-b", exported, "\(other)/"]) == "wide=1")
        #expect(Self.pairs(try await Self.curl(resolve + ["-b", exported, "\(www)/"])) == ["wide=1", "narrow=2"])
    }

    @Test("every cookie command works, --json included; session export, import, clone and clear carry cookies")
    func commands() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let file = { (name: String) in daemon.directory.appendingPathComponent(name).path }
        #expect(try await ripctl("session", "new", "--name", "s").status == 0)

        let stored = try await ripctl("cookie", "store", "--session", "s", "--url", "https://www.example.com/a/b",
            "--set-cookie", "a=1; Domain=example.com", "--set-cookie", "b=2; Secure; SameSite=Lax",
            "--set-cookie", "c=3; Domain=evil.org")
        #expect(stored.stdout.contains("stored a for example.com/a") && stored.stdout.contains("rejected 'c=3; Domain=evil.org'"))
        let json = try await ripctl("cookie", "store", "--session", "s", "--url", "http://www.example.com/",
            "--set-cookie", "d=4", "--json").json
        #expect((json["outcomes"] as? [[String: Any]])?.first?["stored"] as? Bool == true)
        #expect(try await ripctl("cookie", "header", "--session", "s", "--url", "https://www.example.com/a/x").stdout == "a=1; b=2; d=4\n")
        let headerJSON = try await ripctl("cookie", "header", "--session", "s", "--url", "http://www.example.com/a/x", "--json").json
        #expect(headerJSON["header"] as? String == "a=1; d=4" && (headerJSON["cookies"] as? [Any])?.count == 2)

        let added = try await ripctl("session", "add-cookies", "--name", "s", "--cookie-name", "auth", "--cookie-value", "t0k",
            "--domain", "example.com", "--secure", "--http-only", "--expires", "2099-12-31T23:59:59Z", "--same-site", "strict", "--json")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.json["same_site"] as? String == "SAME_SITE_STRICT" && added.json["http_only"] as? Bool == true)
        let badPrefix = try await ripctl("session", "add-cookies", "--name", "s", "--cookie-name", "__Host-x", "--cookie-value", "1",
            "--domain", "example.com")
        #expect(badPrefix.status == 1 && badPrefix.stderr.contains("__Host-"))
        let table = try await ripctl("cookie", "list", "--session", "s")
        #expect(table.stdout.hasPrefix("NAME") && table.stdout.contains("Secure,HttpOnly,SameSite=Strict"))
        #expect(table.stdout.contains("<hidden: --show-secrets>"), "cookie values are masked unless asked for")
        let revealed = try await ripctl("cookie", "list", "--session", "s", "--json", "--show-secrets").json["cookies"] as? [[String: Any]]
        #expect(revealed?.contains { ($0["value"] as? String)?.contains("hidden") == false } == true)
        #expect((try await ripctl("cookie", "list", "--session", "s", "--domain", "www.example.com", "--json").json["cookies"] as? [Any])?.count == 2)

        #expect(try await ripctl("cookie", "export", "--session", "s", "--file", file("jar.json")).status == 0)
        #expect(try await ripctl("session", "new", "--name", "seeded", "--cookies", file("jar.json")).status == 0)
        #expect(try await ripctl("cookie", "header", "--session", "seeded", "--url", "https://www.example.com/a/").stdout == "a=1; b=2; d=4; auth=t0k\n")

        let sessions = file("sessions.yaml")
        #expect(try await ripctl("session", "export", "--name", "s", "--output", sessions).status == 0)
        #expect(try String(contentsOfFile: sessions, encoding: .utf8).contains("http_only: true"))
        #expect(try await ripctl("session", "import", "--input", sessions, "--name", "restored").status == 0)
        #expect(try await ripctl("cookie", "header", "--session", "restored", "--url", "https://www.example.com/a/").stdout == "a=1; b=2; d=4; auth=t0k\n")
        let withoutCookies = file("bare.json")
        #expect(try await ripctl("session", "export", "--name", "s", "--output", withoutCookies, "--include-cookies", "false").status == 0)
        #expect(try !String(contentsOfFile: withoutCookies, encoding: .utf8).contains("\"cookies\""))

        #expect(try await ripctl("session", "clone", "--from", "s", "--to", "twin").status == 0)
        #expect(try await ripctl("session", "clone", "--from", "s", "--to", "blank", "--cookies", "false").status == 0)
        #expect(try await ripctl("cookie", "header", "--session", "twin", "--url", "http://example.com/a/").stdout == "a=1\n")
        #expect(try await ripctl("cookie", "header", "--session", "blank", "--url", "http://example.com/a/").stdout == "\n")

        #expect(try await ripctl("cookie", "rm", "--session", "s", "--name", "a", "--domain", ".example.com").stdout.contains("deleted 1 cookie"))
        #expect(try await ripctl("cookie", "rm", "--session", "s", "--name", "a", "--domain", "example.com").status == 1)
        #expect(try await ripctl("cookie", "clear", "--session", "s", "--domain", "www.example.com", "--json").json["removed"] != nil)
        #expect(try await ripctl("session", "clear", "--name", "twin", "--cookies").status == 0)
        #expect(try await ripctl("cookie", "list", "--session", "twin").stdout == "no cookies\n")

        let broken = file("broken.txt")
        try "# comment\nexample.com\tFALSE\t/\tFALSE\t\tgood\tv\nnot a cookie line\n.example.com\tTRUE\t/\tMAYBE\t0\tx\ty\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let partial = try await ripctl("cookie", "import", "--session", "s", "--file", broken)
        #expect(partial.status == 0 && partial.stdout.contains("imported 1 of 1"))
        #expect(partial.stderr.contains("line 3") && partial.stderr.contains("line 4"))
    }
}
