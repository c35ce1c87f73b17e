import RipProto
import RipBase

/// Every session, indexed by id and by name, and the daemon's current session.
///
/// Reads are plain functions of the value; changes live in `SessionBook+Changes.swift` and are
/// reached only through `RipState.apply`.
public struct SessionBook: Sendable {
    var byID: [String: RipSession] = [:]
    var idByName: [String: String] = [:]
    var currentID: String?

    public init() {}

    public var count: Int { byID.count }

    /// The session a client names by id (`sess_…`) or by name. Names never take the id form,
    /// so the two cannot collide.
    public func find(_ reference: String) throws -> RipSession {
        let id = try id(of: reference)
        guard let session = byID[id] else { throw Self.notFound(reference) }
        return session
    }

    /// The id of the session a client names, without copying the session (lookups that only
    /// need the id run under the writer lock).
    public func id(of reference: String) throws -> String {
        guard !reference.isEmpty else {
            throw RipError.invalidArgument("a session name or id is required")
        }
        if byID.index(forKey: reference) != nil { return reference }
        if let id = idByName[reference] { return id }
        throw Self.notFound(reference)
    }

    static func notFound(_ reference: String) -> RipError {
        RipError.notFound("no session named or with id '\(reference)'; `ripctl session list` shows them")
    }

    /// The daemon's current session, if one was chosen with `UseSession` and still exists.
    public func current() throws -> RipSession {
        guard let id = currentID, let session = byID[id] else {
            throw RipError.notFound("no current session; choose one with `ripctl session use --name NAME`")
        }
        return session
    }

    /// Sessions that pass `filter`, oldest first (ties by name).
    public func list(_ filter: RipListSessionsRequest, now: UnixMillis) throws -> [RipSession] {
        let parentID = filter.parent.isEmpty ? nil : try find(filter.parent).id
        return byID.values
            .filter { session in
                (filter.tag.isEmpty || session.tags.contains(filter.tag))
                    && (!filter.activeOnly || session.isActive(at: now))
                    && (filter.state == .unspecified || session.state == filter.state)
                    && (parentID == nil || session.parentID == parentID)
            }
            .sorted { ($0.createdAt.unixMillis, $0.name) < ($1.createdAt.unixMillis, $1.name) }
    }

    /// Sessions whose expiry has passed at `now`.
    public func expired(at now: UnixMillis) -> [RipSession] {
        byID.values.filter { $0.isExpired(at: now) }.sorted { $0.name < $1.name }
    }

    /// Counts and request totals over one session or all of them.
    public func stats(_ request: RipSessionStatsRequest, now: UnixMillis) throws -> RipSessionStatsResponse {
        var stats = RipSessionStatsResponse()
        let sessions: [RipSession]
        if request.session.isEmpty {
            sessions = Array(byID.values)
        } else {
            let session = try find(request.session)
            stats.session = session
            sessions = [session]
        }
        for session in sessions {
            stats.sessions += 1
            switch session.state {
            case .active: stats.active += 1
            case .suspended: stats.suspended += 1
            case .completed: stats.completed += 1
            case .failed: stats.failed += 1
            case .unspecified, .UNRECOGNIZED: break
            }
            if session.isExpired(at: now) { stats.expired += 1 }
            stats.requestsCount = stats.requestsCount.saturatingAdd(session.metadata.requestsCount)
            stats.successCount = stats.successCount.saturatingAdd(session.metadata.successCount)
            stats.errorCount = stats.errorCount.saturatingAdd(session.metadata.errorCount)
        }
        if stats.requestsCount > 0 {
            stats.successRate = Double(stats.successCount) / Double(stats.requestsCount)
        }
        return stats
    }
}

extension RipSession {
    /// A session expires `timeout_minutes` after its last use (reference 001); 0 never expires.
    public func isExpired(at now: UnixMillis) -> Bool {
        hasExpiresAt && expiresAt.unixMillis <= now
    }

    /// ACTIVE and not expired: the sessions `list --active` shows.
    public func isActive(at now: UnixMillis) -> Bool {
        state == .active && !isExpired(at: now)
    }
}
