import Foundation
import RipProto

/// How sessions look to people.
enum SessionFormat {
    static func state(_ session: RipSession) -> String {
        switch session.state {
        case .active: "active"
        case .suspended: "suspended"
        case .completed: "completed"
        case .failed: "failed"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    /// One line per change: time, what happened, the session and its state.
    static func event(_ event: RipSessionEvent) -> String {
        let kind =
            switch event.kind {
            case .created: "created"
            case .updated: "updated"
            case .deleted: "deleted"
            case .unspecified, .UNRECOGNIZED: "changed"
            }
        return "\(event.session.updatedAt.rfc3339)  \(kind)  \(event.session.name)  \(state(event.session))"
    }

    static func table(_ sessions: [RipSession], detailed: Bool) -> String {
        guard !sessions.isEmpty else { return "no sessions" }
        if detailed { return sessions.map(details).joined(separator: "\n\n") }
        return Output.table(
            ["NAME", "ID", "STATE", "TAGS", "REQUESTS", "LAST USED", "EXPIRES"],
            sessions.map { session in
                [
                    session.name, session.id, state(session), session.tags.joined(separator: ","),
                    String(session.metadata.requestsCount), session.lastUsedAt.rfc3339, session.expiresAt.rfc3339,
                ]
            })
    }

    static func details(_ session: RipSession) -> String {
        var fields: [(String, String)] = [
            ("name", session.name),
            ("id", session.id),
            ("state", state(session) + (session.failureReason.isEmpty ? "" : " (\(session.failureReason))")),
        ]
        if !session.description_p.isEmpty { fields.append(("description", session.description_p)) }
        if !session.parentID.isEmpty { fields.append(("parent", session.parentID)) }
        fields += [
            ("tags", session.tags.isEmpty ? "-" : session.tags.joined(separator: ",")),
            ("user agent", session.userAgent.isEmpty ? "-" : session.userAgent),
            ("timeout", session.timeoutMinutes == 0 ? "none" : "\(session.timeoutMinutes) min"),
            ("created", session.createdAt.rfc3339),
            ("updated", session.updatedAt.rfc3339),
            ("last used", session.lastUsedAt.rfc3339),
            ("expires", session.expiresAt.rfc3339),
            ("requests", requests(session.metadata)),
        ]
        if !session.metadata.lastRequestURL.isEmpty { fields.append(("last url", session.metadata.lastRequestURL)) }
        for (name, value) in session.headers.sorted(by: { $0.key < $1.key }) {
            fields.append(("header", "\(name): \(value)"))
        }
        return Output.fields(fields)
    }

    static func requests(_ metadata: RipSessionMetadata) -> String {
        "\(metadata.requestsCount) (\(metadata.successCount) ok, \(metadata.errorCount) failed)"
    }

    static func stats(_ stats: RipSessionStatsResponse) -> String {
        var fields: [(String, String)] = []
        if stats.hasSession {
            fields += [("session", stats.session.name), ("state", state(stats.session))]
        } else {
            fields += [
                ("sessions", "\(stats.sessions)"),
                ("active", "\(stats.active)"),
                ("suspended", "\(stats.suspended)"),
                ("completed", "\(stats.completed)"),
                ("failed", "\(stats.failed)"),
                ("expired", "\(stats.expired)"),
            ]
        }
        fields += [
            ("requests", "\(stats.requestsCount)"),
            ("successes", "\(stats.successCount)"),
            ("errors", "\(stats.errorCount)"),
            ("success rate", String(format: "%.1f%%", stats.successRate * 100)),
        ]
        return Output.fields(fields)
    }
}
