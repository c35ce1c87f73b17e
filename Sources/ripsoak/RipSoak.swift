import ArgumentParser
import Foundation
import RipClient
import RipProto

/// The soak test's two halves (tools/soak runs them): clients that change sessions, cookies,
/// jobs and artifacts without pause and journal every change ripd acknowledged, and a check
/// that every acknowledged change is in ripd and nothing it refused came back.
@main
struct RipSoak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ripsoak",
        abstract: "Load ripd with journaled changes, and check them after restarts (see tools/soak).",
        subcommands: [SoakClient.self, SoakCheck.self])
}

/// One line of a client's journal: what ripd said about one change.
enum SoakEntry {
    case session(String)
    /// Written before a delete is sent: from here on the session may be gone even if the
    /// acknowledgement never reaches the journal (the client can be paused or killed first).
    case deleting(String)
    case sessionDeleted(String)
    case cookie(session: String, name: String, value: String)
    case job(String)
    case artifact(session: String, id: String, sha256: String)
    /// A change ripd refused with a definite status: it must never appear.
    case refusedSession(String)
    /// A change whose outcome is unknown (the connection dropped): it may or may not be there.
    case unknownSession(String)

    var line: String {
        switch self {
        case .session(let name): "session+ \(name)"
        case .deleting(let name): "deleting \(name)"
        case .sessionDeleted(let name): "session- \(name)"
        case .cookie(let session, let name, let value): "cookie \(session) \(name) \(value)"
        case .job(let id): "job \(id)"
        case .artifact(let session, let id, let sha256): "artifact \(session) \(id) \(sha256)"
        case .refusedSession(let name): "refused-session \(name)"
        case .unknownSession(let name): "unknown-session \(name)"
        }
    }

    init?(line: Substring) {
        let fields = line.split(separator: " ").map(String.init)
        switch (fields.first, fields.count) {
        case ("session+", 2): self = .session(fields[1])
        case ("deleting", 2): self = .deleting(fields[1])
        case ("session-", 2): self = .sessionDeleted(fields[1])
        case ("cookie", 4): self = .cookie(session: fields[1], name: fields[2], value: fields[3])
        case ("job", 2): self = .job(fields[1])
        case ("artifact", 4): self = .artifact(session: fields[1], id: fields[2], sha256: fields[3])
        case ("refused-session", 2): self = .refusedSession(fields[1])
        case ("unknown-session", 2): self = .unknownSession(fields[1])
        default: return nil
        }
    }
}

/// Connects to ripd, retrying while it restarts: for as long as it takes (a client, which the
/// soak stops and kills), or up to a minute (the check).
func connect(_ socket: String, patience: Duration? = .seconds(60)) async throws -> RipClient {
    let deadline = patience.map { ContinuousClock.now + $0 }
    while true {
        do {
            return try await RipClient.connect(to: socket)
        } catch {
            if let deadline, ContinuousClock.now >= deadline { throw error }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
