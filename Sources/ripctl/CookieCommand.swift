import ArgumentParser
import Foundation
import RipClient
import RipProto

struct CookieCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cookie",
        abstract: "Feed, query, list and move a session's cookie jar (RFC 6265bis).",
        discussion: """
            Hand over every Set-Cookie line a response carried (redirect hops included) with the URL it came \
            from, and ask for the Cookie header before each request:
              ripctl cookie store --session crawl --url https://example.com/login --set-cookie 'sid=abc; Path=/; HttpOnly'
              ripctl cookie header --session crawl --url https://example.com/account
            --session takes a session name or id.
            """,
        subcommands: [Store.self, Header.self, List.self, Remove.self, Clear.self, Import.self, Export.self]
    )

    /// Prints the rejected cookies of an import on stderr.
    static func warnRejected(_ outcomes: [RipCookieOutcome], of cookies: [RipCookie]) {
        for (outcome, cookie) in zip(outcomes, cookies) where !outcome.stored {
            warn("cookie '\(cookie.name)' for \(cookie.domain) not imported: \(outcome.rejection)")
        }
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("ripctl: warning: \(message)\n".utf8))
    }

    static func table(_ cookies: [RipCookie]) -> String {
        guard !cookies.isEmpty else { return "no cookies" }
        return Output.table(
            ["NAME", "VALUE", "DOMAIN", "PATH", "EXPIRES", "FLAGS"],
            cookies.map { cookie in
                [
                    cookie.name, cookie.value.count > 40 ? cookie.value.prefix(39) + "…" : cookie.value,
                    (cookie.hostOnly ? "" : ".") + cookie.domain, cookie.path,
                    cookie.hasExpires ? cookie.expires.rfc3339 : "session", flags(cookie),
                ]
            })
    }

    static func flags(_ cookie: RipCookie) -> String {
        var flags: [String] = []
        if cookie.secure { flags.append("Secure") }
        if cookie.httpOnly { flags.append("HttpOnly") }
        if let sameSite = CookieRecord.sameSiteNames.first(where: { $0.1 == cookie.sameSite }) {
            flags.append("SameSite=" + sameSite.0.capitalized)
        }
        return flags.isEmpty ? "-" : flags.joined(separator: ",")
    }

    enum Context: String, ExpressibleByArgument, CaseIterable {
        case sameSite = "same-site", crossSite = "cross-site", crossSiteNavigation = "cross-site-navigation"

        var message: RipCookieContext {
            switch self {
            case .sameSite: .sameSite
            case .crossSite: .crossSite
            case .crossSiteNavigation: .crossSiteTopLevelNavigation
            }
        }
    }

    /// --session, --url and --context: one HTTP exchange of a session (the response that set
    /// cookies, or the request they go to).
    struct ExchangeOptions: ParsableArguments {
        @Option(help: "Session name or id.") var session: String
        @Option(help: "The URL: of the response that carried the lines (store), of the request (header).") var url: String
        @Option(help: "same-site, cross-site or cross-site-navigation.") var context: Context = .sameSite
    }

    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the Set-Cookie lines of a response.",
            discussion: """
                Each line is stored or rejected with the reason (rejections are reported, not errors).
                Example: ripctl cookie store --session crawl --url https://example.com/ --set-cookie 'a=1; Max-Age=3600' \
                --set-cookie 'b=2; Domain=example.com'
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var exchange: ExchangeOptions
        @Option(name: .customLong("set-cookie"), help: "A Set-Cookie header value (repeatable).") var lines: [String]

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.storeResponseCookies(.with {
                    $0.session = exchange.session
                    $0.url = exchange.url
                    $0.setCookieLines = lines
                    $0.context = exchange.context.message
                })
                try output.emit(response) {
                    zip(lines, response.outcomes).map { line, outcome in
                        outcome.stored
                            ? "stored \(outcome.cookie.name.isEmpty ? "(nameless)" : outcome.cookie.name) for \(outcome.cookie.domain)\(outcome.cookie.path)"
                            : "rejected '\(Store.printable(line.prefix(60)))': \(outcome.rejection)"
                    }.joined(separator: "\n")
                }
            }
        }

        /// `text` with control characters shown as U+FFFD, for echoing a rejected line.
        static func printable(_ text: Substring) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\u{FFFD}" : $0 }))
        }
    }

    struct Header: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the Cookie header to send to a URL (nothing when no cookie applies).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var exchange: ExchangeOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.cookieHeader(.with {
                    $0.session = exchange.session
                    $0.url = exchange.url
                    $0.context = exchange.context.message
                    $0.headerOnly = !output.json
                })
                try output.emit(response) { response.header }
            }
        }
    }

    /// --session and --domain: a session's jar, or the part of it for one domain and its
    /// subdomains.
    struct JarOptions: ParsableArguments {
        @Option(help: "Session name or id.") var session: String
        @Option(help: "Only cookies of this domain and its subdomains.") var domain: String?

        var list: RipListCookiesRequest {
            .with {
                $0.session = session
                $0.domain = domain ?? ""
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a session's cookies, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var jar: JarOptions

        func run() async throws {
            try await global.withClient { client, output in
                var response = try await client.listCookies(jar.list)
                response.cookies = output.shown(response.cookies)
                try output.emit(response) { CookieCommand.table(response.cookies) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Delete a cookie by name and domain (every path unless --path).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name or id.") var session: String
        @Option(help: "Cookie name.") var name: String
        @Option(help: "Cookie domain.") var domain: String
        @Option(help: "Only the cookie with this path.") var path: String?

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.deleteCookie(.with {
                    $0.session = session
                    $0.name = name
                    $0.domain = domain
                    $0.path = path ?? ""
                })
                try output.emit(response) { "deleted \(response.deleted.count) cookie\(response.deleted.count == 1 ? "" : "s")" }
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete every cookie of a session, or of one domain.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var jar: JarOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.clearCookies(.with {
                    $0.session = jar.session
                    $0.domain = jar.domain ?? ""
                })
                try output.emit(response) { "removed \(response.removed.count) cookie\(response.removed.count == 1 ? "" : "s")" }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load cookies from a curl cookies.txt (Netscape) or JSON file.",
            discussion: """
                A jar written by `curl -c FILE` imports as is. Malformed lines are skipped with a warning naming \
                the line. ripctl reads the file; the daemon never opens it.
                Example: ripctl cookie import --session crawl --file cookies.txt --format netscape
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name or id.") var session: String
        @Option(help: "File to read ('-' for standard input).") var file: String
        @Option(help: "netscape or json (default: json for .json files, else netscape).") var format: CookieFormat?
        @Flag(help: "Empty the jar first.") var replace = false

        func run() async throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw CommandFailure("cannot read \(file)") }
            let cookies: [RipCookie]
            switch format ?? CookieFormat(path: file) {
            case .netscape:
                cookies = NetscapeCookieFile.parse(String(decoding: data, as: UTF8.self)) { CookieCommand.warn("\(file): \($0)") }
            case .json:
                do { cookies = try JSONCookieFile.parse(data) } catch let error as CommandFailure {
                    throw error
                } catch { throw CommandFailure("\(file) is not a JSON array of cookies: \(error)") }
            }
            try await global.withClient { client, output in
                let response = try await client.importCookies(.with {
                    $0.session = session
                    $0.cookies = cookies
                    $0.replace = replace
                })
                CookieCommand.warnRejected(response.outcomes, of: cookies)
                let stored = response.outcomes.filter(\.stored).count
                try output.emit(response) { "imported \(stored) of \(cookies.count) cookies from \(file)" }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a session's cookies to a curl cookies.txt (Netscape) or JSON file.",
            discussion: """
                A cookies.txt export works with `curl -b FILE`. ripctl writes the file (mode 0600); the daemon \
                never does.
                Example: ripctl cookie export --session crawl --file cookies.txt && curl -b cookies.txt https://example.com/
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var jar: JarOptions
        @Option(help: "File to write ('-' for standard output).") var file: String
        @Option(help: "netscape or json (default: json for .json files, else netscape).") var format: CookieFormat?

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.listCookies(jar.list)
                let data: Data
                switch format ?? CookieFormat(path: file) {
                case .netscape:
                    data = Data(NetscapeCookieFile.render(response.cookies) { CookieCommand.warn($0) }.utf8)
                case .json:
                    data = try JSONCookieFile.render(response.cookies)
                }
                if file == "-" {
                    FileHandle.standardOutput.write(data)
                    return
                }
                guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw CommandFailure("cannot write \(file)")
                }
                try output.emit(response) { "exported \(response.cookies.count) cookies to \(file)" }
            }
        }
    }
}

extension CookieFormat: ExpressibleByArgument {
    /// JSON for .json files, Netscape otherwise.
    init(path: String) {
        self = path.hasSuffix(".json") ? .json : .netscape
    }
}
