import ArgumentParser
import Foundation
import RipClient
import RipProto

struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Create, inspect, change and remove sessions.",
        discussion: "Wherever a command takes --name, a session id (sess_…) works too.",
        subcommands: [
            New.self, List.self, Show.self, Use.self, Current.self, Update.self, Remove.self, Clone.self, Clear.self,
            Stats.self, AddCookies.self, AddHeaders.self, RemoveHeaders.self, Extend.self, Suspend.self, Resume.self,
            Complete.self, Fail.self, RecordRequest.self, Cleanup.self, Watch.self, Export.self, Import.self,
        ]
    )

    /// Splits "a,b, c" into ["a", "b", "c"].
    static func tags(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Prints one session: JSON, its details, or a one-line confirmation.
    static func show(_ session: RipSession, _ output: Output, _ verb: String? = nil) throws {
        let session = output.shown(session)
        try output.emit(session) {
            verb.map { "\($0) session \(session.name) (\(session.id))" } ?? SessionFormat.details(session)
        }
    }

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a session.",
            discussion: """
                Example: ripctl session new --name crawl --tags prod,eu --user-agent 'Bot/1.0' --timeout 60
                --headers takes a JSON object file: {"Authorization": "Bearer …"}.
                --cookies takes a JSON array of cookies, as `ripctl cookie export --format json` writes.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name (unique, 1–128 characters).") var name: String
        @Option(help: "Free-text description.") var description: String?
        @Option(help: "JSON file with initial headers (an object of name: value).") var headers: String?
        @Option(help: "JSON file with initial cookies (an array of cookies).") var cookies: String?
        @Option(help: "Comma-separated tags.") var tags: String?
        @Option(help: "User agent sent with the session's requests.") var userAgent: String?
        @Option(help: "Minutes after last use when the session expires (0 = never).") var timeout: UInt64 = 0
        @Option(help: "Parent session (name or id).") var parent: String?

        func run() async throws {
            let headers = try self.headers.map(Self.readHeaders) ?? [:]
            let cookies = try self.cookies.map(SessionCommand.readCookies)
            try await global.withClient { client, output in
                let session = try await client.createSession(.with {
                    $0.name = name
                    $0.description_p = description ?? ""
                    $0.tags = SessionCommand.tags(tags)
                    $0.headers = headers
                    $0.userAgent = userAgent ?? ""
                    $0.timeoutMinutes = timeout
                    $0.parent = parent ?? ""
                })
                if let cookies {
                    let result = try await client.importCookies(.with {
                        $0.session = session.id
                        $0.cookies = cookies
                    })
                    CookieCommand.warnRejected(result.outcomes, of: cookies)
                }
                try SessionCommand.show(session, output, "created")
            }
        }

        static func readHeaders(_ path: String) throws -> [String: String] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Output.fail("cannot read headers file \(path)")
            }
            guard let headers = try? JSONDecoder().decode([String: String].self, from: data) else {
                throw Output.fail("headers file \(path) must hold a JSON object of string values")
            }
            return headers
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only sessions with this tag.") var tag: String?
        @Flag(help: "Only active, unexpired sessions.") var active = false
        @Flag(help: "Show every field of every session.") var detailed = false
        @Option(help: "Only sessions in this state: active, suspended, completed or failed.") var state: StateName?
        @Option(help: "Only children of this session (name or id).") var parent: String?

        func run() async throws {
            try await global.withClient { client, output in
                var response = try await client.listSessions(.with {
                    $0.tag = tag ?? ""
                    $0.activeOnly = active
                    $0.state = state?.value ?? .unspecified
                    $0.parent = parent ?? ""
                })
                response.sessions = response.sessions.map(output.shown)
                try output.emit(response) { SessionFormat.table(response.sessions, detailed: detailed) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every field of one session.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName

        func run() async throws {
            try await global.withClient { client, output in
                try SessionCommand.show(try await client.getSession(.with { $0.session = selected.name }), output)
            }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a session the current one.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Flag(help: "Create the session if it does not exist.") var create = false

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.useSession(.with {
                    $0.session = selected.name
                    $0.create = create
                })
                try SessionCommand.show(session, output, "using")
            }
        }
    }

    struct Current: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the current session.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Show every field.") var detailed = false

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.getCurrentSession()
                try output.emit(session) {
                    detailed ? SessionFormat.details(session) : "\(session.name) (\(session.id))"
                }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a session's description, tags, user agent or timeout.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "New description.") var description: String?
        @Option(help: "Comma-separated tags to add.") var addTags: String?
        @Option(help: "Comma-separated tags to remove.") var removeTags: String?
        @Option(help: "New user agent.") var userAgent: String?
        @Option(help: "New timeout in minutes (0 = never expires).") var timeout: UInt64?

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.updateSession(.with {
                    $0.session = selected.name
                    if let description { $0.description_p = .init(description) }
                    $0.addTags = SessionCommand.tags(addTags)
                    $0.removeTags = SessionCommand.tags(removeTags)
                    if let userAgent { $0.userAgent = .init(userAgent) }
                    if let timeout { $0.timeoutMinutes = .init(timeout) }
                })
                try SessionCommand.show(session, output, "updated")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove sessions by name or by tag.",
            discussion: "Without --force, asks for confirmation on a terminal and refuses otherwise.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name or id (repeatable).") var name: [String] = []
        @Option(help: "Remove every session with this tag.") var tag: String?
        @Flag(help: "Remove without asking.") var force = false

        func validate() throws {
            guard name.isEmpty != (tag == nil) else { throw ValidationError("give --name or --tag, not both") }
        }

        func run() async throws {
            try await global.withClient { client, output in
                if !force {
                    let what = tag.map { "every session tagged '\($0)'" } ?? name.joined(separator: ", ")
                    try Confirmation.ask("Remove \(what)?")
                }
                let response = try await client.deleteSessions(.with {
                    $0.sessions = name
                    $0.tag = tag ?? ""
                })
                try output.emit(response) {
                    response.deleted.isEmpty
                        ? "no sessions removed"
                        : response.deleted.map { "removed session \($0.name) (\($0.id))" }.joined(separator: "\n")
                }
            }
        }
    }

    struct Clone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy a session under a new name.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Source session name or id.") var from: String
        @Option(help: "Name of the new session.") var to: String
        @Option(help: "Copy cookies (true or false).") var cookies = true
        @Option(help: "Copy headers (true or false).") var headers = true

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.cloneSession(.with {
                    $0.from = from
                    $0.to = to
                    $0.cookies = cookies
                    $0.headers = headers
                })
                try SessionCommand.show(session, output, "cloned \(from) into")
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a session's headers, cookies, or both.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Flag(help: "Clear headers.") var headers = false
        @Flag(help: "Clear cookies.") var cookies = false
        @Flag(help: "Clear headers and cookies.") var all = false

        func validate() throws {
            guard headers || cookies || all else { throw ValidationError("say what to clear: --headers, --cookies or --all") }
        }

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.clearSession(.with {
                    $0.session = selected.name
                    $0.headers = headers || all
                    $0.cookies = cookies || all
                })
                try SessionCommand.show(session, output, "cleared")
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request counters of one session, or totals over all.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name or id (default: all sessions).") var name: String?

        func run() async throws {
            try await global.withClient { client, output in
                let stats = try await client.sessionStats(.with { $0.session = name ?? "" })
                try output.emit(stats) { SessionFormat.stats(stats) }
            }
        }
    }

    struct AddHeaders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace a default header.",
            discussion: "Header names are matched case-insensitively; the new one replaces any old one.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "Header name (an RFC 9110 token).") var headerName: String
        @Option(help: "Header value.") var headerValue: String

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.addHeaders(.with {
                    $0.session = selected.name
                    $0.headers = [headerName: headerValue]
                })
                try SessionCommand.show(session, output, "added header \(headerName) to")
            }
        }
    }

    struct RemoveHeaders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove default headers.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "Header name (repeatable).") var headerName: [String]

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.removeHeaders(.with {
                    $0.session = selected.name
                    $0.names = headerName
                })
                try SessionCommand.show(session, output, "removed headers from")
            }
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Push a session's expiry later.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "Minutes to add.") var minutes: UInt64

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.extendSession(.with {
                    $0.session = selected.name
                    $0.minutes = minutes
                })
                try output.emit(session) { "session \(session.name) now expires \(session.expiresAt.rfc3339)" }
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause an active session.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        func run() async throws { try await SessionCommand.change(global, selected.name, to: .suspended, verb: "suspended") }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a suspended session active again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        func run() async throws { try await SessionCommand.change(global, selected.name, to: .active, verb: "resumed") }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a session as successfully finished (final).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        func run() async throws { try await SessionCommand.change(global, selected.name, to: .completed, verb: "completed") }
    }

    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a session as failed, with a reason (final).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "Why it failed.") var reason: String
        func run() async throws {
            try await SessionCommand.change(global, selected.name, to: .failed, reason: reason, verb: "failed")
        }
    }

    static func change(
        _ global: GlobalOptions, _ name: String, to state: RipSessionState, reason: String = "", verb: String
    ) async throws {
        try await global.withClient { client, output in
            let session = try await client.changeSessionState(.with {
                $0.session = name
                $0.state = state
                $0.reason = reason
            })
            try show(session, output, verb)
        }
    }

    struct RecordRequest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count a request made with a session.",
            discussion: "Updates requests_count, success_count or error_count, and last_request_url.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var selected: SessionName
        @Option(help: "The URL requested.") var url: String
        @Flag(exclusivity: .exclusive, help: "Whether the request succeeded (--success) or failed (--error).")
        var outcome: Outcome

        enum Outcome: String, EnumerableFlag {
            case success, error
        }

        func run() async throws {
            try await global.withClient { client, output in
                let session = try await client.recordRequest(.with {
                    $0.session = selected.name
                    $0.url = url
                    $0.success = outcome == .success
                })
                try output.emit(session) { "\(session.name): \(SessionFormat.requests(session.metadata))" }
            }
        }
    }

    struct Cleanup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every expired session now.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.cleanupSessions()
                try output.emit(response) {
                    "removed \(response.removed.count) expired session\(response.removed.count == 1 ? "" : "s")"
                }
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print session changes as they happen, until interrupted.",
            discussion: "With --json, one JSON document per line.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this session (name or id).") var name: String?

        func run() async throws {
            try await global.withClient { client, output in
                for try await event in try await client.watchSessions(.with { $0.session = name ?? "" }) {
                    try output.emit(event) { SessionFormat.event(event) }
                    fflush(nil)
                }
            }
        }
    }
}

/// Session states as command-line words.
enum StateName: String, ExpressibleByArgument, CaseIterable {
    case active, suspended, completed, failed

    var value: RipSessionState {
        switch self {
        case .active: .active
        case .suspended: .suspended
        case .completed: .completed
        case .failed: .failed
        }
    }
}

/// Asks a yes/no question on a terminal; refuses when nobody can answer.
enum Confirmation {
    static func ask(_ question: String) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("refusing without --force: standard input is not a terminal to confirm on")
        }
        print("\(question) [y/N] ", terminator: "")
        fflush(nil)
        guard let answer = readLine()?.lowercased(), answer == "y" || answer == "yes" else {
            throw CommandFailure("cancelled; nothing removed")
        }
    }
}
