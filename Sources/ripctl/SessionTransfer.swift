import ArgumentParser
import Foundation
import RipClient
import RipProto
import Yams

/// File formats for session export and import.
enum TransferFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml

    /// YAML for .yaml/.yml files, JSON otherwise.
    init(path: String) {
        self = path.hasSuffix(".yaml") || path.hasSuffix(".yml") ? .yaml : .json
    }
}

extension SessionCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write sessions to a sessions.json (or YAML) file.",
            discussion: """
                ripctl writes the file, never the daemon. Without --name, every session is exported.
                Example: ripctl session export --name prod --output prod.yaml --format yaml --include-cookies false
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Session name or id (default: all).") var name: String?
        @Option(help: "File to write ('-' for standard output).") var output: String
        @Option(help: "json or yaml (default: from the file extension).") var format: TransferFormat?
        @Option(help: "Include cookies (true or false).") var includeCookies = true
        @Option(help: "Include headers (true or false).") var includeHeaders = true

        func run() async throws {
            try await global.withClient { client, out in
                let sessions =
                    if let name { [try await client.getSession(.with { $0.session = name })] } else {
                        try await client.listSessions().sessions
                    }
                let current = try? await client.getCurrentSession()
                var records: [String: SessionFile.Record] = [:]
                for session in sessions {
                    let cookies = includeCookies ? try await client.listCookies(.with { $0.session = session.id }).cookies : nil
                    records[session.name] = SessionFile.Record(session, includeHeaders: includeHeaders, cookies: cookies)
                }
                let file = SessionFile(currentSession: current.map(\.name), sessions: records)
                let data = try Self.encode(file, as: format ?? TransferFormat(path: output))
                if output == "-" {
                    FileHandle.standardOutput.write(data)
                } else {
                    guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
                        throw CommandFailure("cannot write \(output)")
                    }
                    try out.emit(RipListSessionsResponse.with { $0.sessions = sessions }) {
                        "exported \(sessions.count) session\(sessions.count == 1 ? "" : "s") to \(output)"
                    }
                }
            }
        }

        static func encode(_ file: SessionFile, as format: TransferFormat) throws -> Data {
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                return try encoder.encode(file) + Data("\n".utf8)
            case .yaml:
                var options = YAMLEncoder.Options()
                options.sortKeys = true
                return Data(try YAMLEncoder().encode(file, userInfo: [:]).utf8)
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore sessions from an exported sessions.json or YAML file.",
            discussion: "Times, counters and states are restored; each imported session gets a fresh id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "File to read ('-' for standard input).") var input: String
        @Option(help: "Import under this name (the file must hold one session).") var name: String?
        @Flag(help: "Replace sessions that already exist.") var overwrite = false

        func run() async throws {
            let file = try Self.read(input)
            if name != nil, file.sessions.count != 1 {
                throw ValidationError("--name needs a file with exactly one session; \(input) holds \(file.sessions.count)")
            }
            let records = file.sessions.values.sorted { $0.name < $1.name }
            let sessions = try records.map { try $0.session(named: name) }
            let cookies = try records.map { try $0.cookies?.map { try $0.message } }
            try await global.withClient { client, output in
                var imported: [RipSession] = []
                for (session, cookies) in zip(sessions, cookies) {
                    let session = try await client.importSession(.with {
                        $0.session = session
                        $0.overwrite = overwrite
                    })
                    imported.append(session)
                    guard let cookies else { continue }
                    let result = try await client.importCookies(.with {
                        $0.session = session.id
                        $0.cookies = cookies
                        $0.replace = true
                    })
                    CookieCommand.warnRejected(result.outcomes, of: cookies)
                }
                try output.emit(RipListSessionsResponse.with { $0.sessions = imported }) {
                    imported.map { "imported session \($0.name) (\($0.id))" }.joined(separator: "\n")
                }
            }
        }

        static func read(_ path: String) throws -> SessionFile {
            let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
            guard let data else { throw CommandFailure("cannot read \(path)") }
            do {
                switch TransferFormat(path: path) {
                case .json where data.first == UInt8(ascii: "{"):
                    return try JSONDecoder().decode(SessionFile.self, from: data)
                default:
                    return try YAMLDecoder().decode(SessionFile.self, from: data)
                }
            } catch {
                throw CommandFailure("\(path) is not a sessions file: \(error)")
            }
        }
    }
}
