import Foundation
import RipProto
import SwiftProtobuf

/// The sessions.json shape of reference 000 (`current_session` and a map of sessions by name),
/// extended with ripd's lifecycle fields. ripctl reads and writes it on the user's side.
struct SessionFile: Codable {
    var currentSession: String?
    var sessions: [String: Record]

    enum CodingKeys: String, CodingKey {
        case currentSession = "current_session"
        case sessions
    }

    struct Record: Codable {
        var name: String
        var description: String?
        var createdAt: String?
        var updatedAt: String?
        var lastUsedAt: String?
        var expiresAt: String?
        /// Present (possibly empty) when cookies were included in the export.
        var cookies: [CookieRecord]?
        var headers: [String: String]?
        var tags: [String]?
        var userAgent: String?
        var timeoutMinutes: UInt64?
        var metadata: Metadata?
        var state: String?
        var failureReason: String?

        enum CodingKeys: String, CodingKey {
            case name, description, cookies, headers, tags, metadata, state
            case createdAt = "created_at", updatedAt = "updated_at", lastUsedAt = "last_used_at"
            case expiresAt = "expires_at", userAgent = "user_agent", timeoutMinutes = "timeout_minutes"
            case failureReason = "failure_reason"
        }
    }

    struct Metadata: Codable {
        var requestsCount: UInt64
        var lastRequestURL: String?
        var successCount: UInt64
        var errorCount: UInt64

        enum CodingKeys: String, CodingKey {
            case requestsCount = "requests_count", lastRequestURL = "last_request_url"
            case successCount = "success_count", errorCount = "error_count"
        }
    }
}

extension SessionFile.Record {
    init(_ session: RipSession, includeHeaders: Bool, cookies: [RipCookie]?) {
        name = session.name
        description = session.description_p.isEmpty ? nil : session.description_p
        createdAt = session.createdAt.rfc3339
        updatedAt = session.updatedAt.rfc3339
        lastUsedAt = session.hasLastUsedAt ? session.lastUsedAt.rfc3339 : nil
        expiresAt = session.hasExpiresAt ? session.expiresAt.rfc3339 : nil
        self.cookies = cookies?.map(CookieRecord.init)
        headers = includeHeaders ? session.headers : nil
        tags = session.tags
        userAgent = session.userAgent.isEmpty ? nil : session.userAgent
        timeoutMinutes = session.timeoutMinutes
        metadata = .init(
            requestsCount: session.metadata.requestsCount,
            lastRequestURL: session.metadata.lastRequestURL.isEmpty ? nil : session.metadata.lastRequestURL,
            successCount: session.metadata.successCount, errorCount: session.metadata.errorCount)
        state = StateName.allCases.first { $0.value == session.state }?.rawValue
        failureReason = session.failureReason.isEmpty ? nil : session.failureReason
    }

    /// The session this record describes, for `ImportSession`; bad times and states are
    /// reported with the session's name.
    func session(named override: String?) throws -> RipSession {
        func time(_ text: String?, _ field: String) throws -> Google_Protobuf_Timestamp? {
            guard let text else { return nil }
            guard let time = Google_Protobuf_Timestamp(rfc3339: text) else {
                throw CommandFailure("session '\(name)': \(field) '\(text)' is not an RFC 3339 time")
            }
            return time
        }
        var session = RipSession()
        session.name = override ?? name
        session.description_p = description ?? ""
        if let created = try time(createdAt, "created_at") { session.createdAt = created }
        if let updated = try time(updatedAt, "updated_at") { session.updatedAt = updated }
        if let used = try time(lastUsedAt, "last_used_at") { session.lastUsedAt = used }
        if let expires = try time(expiresAt, "expires_at") { session.expiresAt = expires }
        session.headers = headers ?? [:]
        session.tags = tags ?? []
        session.userAgent = userAgent ?? ""
        session.timeoutMinutes = timeoutMinutes ?? 0
        if let metadata {
            session.metadata = .with {
                $0.requestsCount = metadata.requestsCount
                $0.lastRequestURL = metadata.lastRequestURL ?? ""
                $0.successCount = metadata.successCount
                $0.errorCount = metadata.errorCount
            }
        }
        if let state {
            guard let known = StateName(rawValue: state) else {
                throw CommandFailure("session '\(name)': state '\(state)' is not active, suspended, completed or failed")
            }
            session.state = known.value
        }
        session.failureReason = failureReason ?? ""
        return session
    }
}
