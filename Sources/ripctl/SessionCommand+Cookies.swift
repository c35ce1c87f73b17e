import ArgumentParser
import Foundation
import RipClient
import RipProto

extension SessionCommand {
    struct AddCookies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-cookies",
            abstract: "Add a cookie to a session's jar.",
            discussion: """
                The cookie reaches --domain and its subdomains unless --host-only. It is checked as if set by \
                https://DOMAIN/ (public suffixes, __Secure- and __Host- prefixes, size limits).
                Example: ripctl session add-cookies --name prod --cookie-name auth --cookie-value t0k3n \
                --domain example.com --secure --http-only --expires 2026-12-31T23:59:59Z
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "Cookie name.") var cookieName: String
        @Option(help: "Cookie value.") var cookieValue: String
        @Option(help: "Cookie domain.") var domain: String
        @Option(help: "Cookie path.") var path: String = "/"
        @Flag(help: "Send only over https (or to loopback hosts).") var secure = false
        @Flag(help: "Hide from scripts (HttpOnly).") var httpOnly = false
        @Flag(help: "Send to the domain itself only, not to its subdomains.") var hostOnly = false
        @Option(help: "Expiry time (RFC 3339); a session cookie when absent.") var expires: String?
        @Option(help: "none, lax or strict.") var sameSite: String?

        func run() async throws {
            let cookie = try CookieRecord(
                name: cookieName, value: cookieValue, domain: domain, path: path, secure: secure, httpOnly: httpOnly,
                expires: expires, hostOnly: hostOnly, sameSite: sameSite, createdAt: nil
            ).message
            try await global.withClient { client, output in
                let stored = try await client.setCookie(.with {
                    $0.session = selected.name
                    $0.cookie = cookie
                })
                try output.emit(stored) { "added cookie \(stored.name) for \(stored.domain)\(stored.path) to session \(selected.name)" }
            }
        }
    }

    /// Reads a JSON array of reference-000 cookies (`session new --cookies`).
    static func readCookies(_ path: String) throws -> [RipCookie] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read cookies file \(path)") }
        do { return try JSONCookieFile.parse(data) } catch let error as CommandFailure { throw error } catch {
            throw CommandFailure("cookies file \(path) must hold a JSON array of cookies: \(error)")
        }
    }
}
