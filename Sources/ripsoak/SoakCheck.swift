import ArgumentParser
import Foundation
import RipClient
import RipProto

/// Reads the clients' journals and checks ripd against them: every acknowledged change is
/// there (unless a later acknowledged change removed it), nothing refused is.
struct SoakCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check ripd against the clients' journals.")

    @Option(help: "The daemon's socket.") var socket: String
    @Option(name: .customLong("journal"), help: "A client's journal (repeatable).") var journals: [String]
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        var sessions: [String: Bool] = [:]  // name: must exist (true) / must not (false)
        var unknown = Set<String>()
        var cookies: [(String, String, String)] = []
        var jobs: [String] = []
        var artifacts: [(String, String, String)] = []
        for path in journals {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            // A line still being written when the check began has no newline yet: skip it.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            lines.removeLast()  // after the last newline: empty, or a line not finished
            for line in lines {
                switch SoakEntry(line: line) {
                case .session(let name): sessions[name] = true
                case .sessionDeleted(let name): sessions[name] = false
                case .refusedSession(let name): sessions[name] = false
                case .unknownSession(let name), .deleting(let name): unknown.insert(name); sessions[name] = nil
                case .cookie(let session, let name, let value): cookies.append((session, name, value))
                case .job(let id): jobs.append(id)
                case .artifact(let session, let id, let sha256): artifacts.append((session, id, sha256))
                case nil: break
                }
            }
        }
        let client = try await connect(socket)
        var checked = 0
        var problems: [String] = []
        for (name, exists) in sessions {
            checked += 1
            let found = (try? await client.getSession(.with { $0.session = name })) != nil
            if found != exists { problems.append(exists ? "session \(name) acknowledged but missing" : "session \(name) deleted or refused but present") }
        }
        let present = { (name: String) in sessions[name] == true }
        for (session, name, value) in cookies where present(session) {
            checked += 1
            let jar = try await client.listCookies(.with { $0.session = session }).cookies
            if !jar.contains(where: { $0.name == name && $0.value == value }) { problems.append("cookie \(name) of \(session) acknowledged but missing") }
        }
        for id in jobs {
            checked += 1
            if (try? await client.getJob(.with { $0.jobID = id })) == nil { problems.append("job \(id) acknowledged but missing") }
        }
        for (session, id, sha256) in artifacts where present(session) {
            checked += 1
            let artifact = try? await client.getArtifact(.with { $0.artifactID = id; $0.owner.session = session })
            if artifact?.sha256 != sha256 { problems.append("artifact \(id) of \(session) acknowledged but missing or changed") }
        }
        await client.close()
        if json {
            print(#"{"checked": \#(checked), "lost_or_reappeared": \#(problems.count), "unknown_outcomes": \#(unknown.count)}"#)
        } else {
            print("checked \(checked) acknowledged changes (\(unknown.count) of unknown outcome skipped): \(problems.count) lost or reappeared")
        }
        for problem in problems.prefix(20) { FileHandle.standardError.write(Data("ripsoak: \(problem)\n".utf8)) }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
