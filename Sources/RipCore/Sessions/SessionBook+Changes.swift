import RipProto
import RipBase

/// The changes `RipState.apply` makes to sessions. Each validates everything before it
/// changes anything, so a thrown error leaves the book as it was.
extension SessionBook {
    mutating func create(
        _ request: RipCreateSessionRequest, id: String, limit: RipSessionLimit, now: UnixMillis
    ) throws -> Applied {
        var session = RipSession()
        session.name = request.name
        session.description_p = request.description_p
        session.tags = deduplicated(request.tags)
        session.headers = request.headers
        session.userAgent = request.userAgent
        session.timeoutMinutes = request.timeoutMinutes
        if !request.parent.isEmpty { session.parentID = try find(request.parent).id }
        return try insert(session, id: id, limit: limit, now: now)
    }

    mutating func use(
        _ request: RipUseSessionRequest, newID: String, limit: RipSessionLimit, now: UnixMillis
    ) throws -> Applied {
        var applied = Applied()
        var session: RipSession
        if request.create, !request.session.isEmpty, (try? find(request.session)) == nil {
            applied = try create(.with { $0.name = request.session }, id: newID, limit: limit, now: now)
            session = applied.session
            applied.sessions.removeAll()
        } else {
            session = try find(request.session)
            guard !session.isExpired(at: now) else {
                throw RipError.failedPrecondition(
                    "session '\(session.name)' expired; extend it with `ripctl session extend` first")
            }
        }
        session.touch(at: now)
        currentID = session.id
        byID[session.id] = session
        applied.record(.updated, session)
        return applied
    }

    mutating func update(_ request: RipUpdateSessionRequest, now: UnixMillis) throws -> Applied {
        var session = try find(request.session)
        if request.hasDescription_p {
            try SessionRules.checkDescription(request.description_p.value)
            session.description_p = request.description_p.value
        }
        if request.hasUserAgent {
            try SessionRules.checkHeaderValue(request.userAgent.value, what: "user agent")
            session.userAgent = request.userAgent.value
        }
        if request.hasTimeoutMinutes {
            try SessionRules.checkMinutes(request.timeoutMinutes.value, what: "timeout")
            session.timeoutMinutes = request.timeoutMinutes.value
            session.resetExpiry()
        }
        try SessionRules.checkTags(request.addTags)
        try SessionRules.checkCount(request.removeTags.count, of: "remove_tags", max: RipLimits.Session.maxTags)
        let removed = Set(request.removeTags)
        session.tags = deduplicated(session.tags + request.addTags).filter { !removed.contains($0) }
        try SessionRules.checkTags(session.tags)
        return replace(session, now: now)
    }

    mutating func delete(_ request: RipDeleteSessionsRequest, now: UnixMillis) throws -> Applied {
        try SessionRules.checkCount(request.sessions.count, of: "sessions", max: RipLimits.Session.maxSessionsPerCall)
        guard request.sessions.isEmpty != request.tag.isEmpty else {
            throw RipError.invalidArgument("name the sessions to delete, or a tag, but not both")
        }
        let doomed =
            request.tag.isEmpty
            ? try request.sessions.map(find)
            : byID.values.filter { $0.tags.contains(request.tag) }.sorted { $0.name < $1.name }
        var applied = Applied()
        for session in doomed where byID[session.id] != nil {
            remove(session, now: now, into: &applied)
        }
        return applied
    }

    mutating func clone(
        _ request: RipCloneSessionRequest, id: String, limit: RipSessionLimit, now: UnixMillis
    ) throws -> Applied {
        let source = try find(request.from)
        var session = RipSession()
        session.name = request.to
        session.description_p = source.description_p
        session.tags = source.tags
        session.userAgent = source.userAgent
        session.timeoutMinutes = source.timeoutMinutes
        session.parentID = source.parentID
        if request.headers { session.headers = source.headers }
        return try insert(session, id: id, limit: limit, now: now)
    }

    mutating func clear(_ request: RipClearSessionRequest, now: UnixMillis) throws -> Applied {
        guard request.headers || request.cookies else {
            throw RipError.invalidArgument("say what to clear: headers, cookies, or both")
        }
        var session = try find(request.session)
        if request.headers { session.headers.removeAll() }
        return replace(session, now: now)
    }

    mutating func addHeaders(_ request: RipAddHeadersRequest, now: UnixMillis) throws -> Applied {
        guard !request.headers.isEmpty else {
            throw RipError.invalidArgument("give at least one header to add")
        }
        var session = try find(request.session)
        try SessionRules.checkHeaders(request.headers)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            session.removeHeader(named: name)
            session.headers[name] = value
        }
        try SessionRules.checkHeaderCount(session.headers.count)
        return replace(session, now: now)
    }

    mutating func removeHeaders(_ request: RipRemoveHeadersRequest, now: UnixMillis) throws -> Applied {
        var session = try find(request.session)
        try SessionRules.checkCount(request.names.count, of: "names", max: RipLimits.Session.maxHeaders)
        for name in request.names {
            guard session.removeHeader(named: name) else {
                throw RipError.notFound("session '\(session.name)' has no header '\(name)'")
            }
        }
        return replace(session, now: now)
    }

    mutating func extend(_ request: RipExtendSessionRequest, now: UnixMillis) throws -> Applied {
        guard request.minutes > 0 else {
            throw RipError.invalidArgument("extend by at least 1 minute")
        }
        try SessionRules.checkMinutes(request.minutes, what: "extension")
        var session = try find(request.session)
        guard session.timeoutMinutes > 0 else {
            throw RipError.failedPrecondition(
                "session '\(session.name)' has no timeout and never expires; set one with `session update --timeout`")
        }
        // Extensions add up, but never past ten years from now (`RipLimits.Session.maxMinutes`).
        let base = max(session.expiresAt.unixMillis, now)
        let limit = now + Int64(RipLimits.Session.maxMinutes) * 60_000
        session.expiresAt = .init(unixMillis: min(base + Int64(request.minutes) * 60_000, limit))
        return replace(session, now: now)
    }

    mutating func changeState(_ request: RipChangeSessionStateRequest, now: UnixMillis) throws -> Applied {
        var session = try find(request.session)
        try SessionLifecycle.check(from: session.state, to: request.state, session: session.name)
        if request.state == .failed {
            try SessionRules.checkReason(request.reason)
            session.failureReason = request.reason
        }
        session.state = request.state
        return replace(session, now: now)
    }

    mutating func recordRequest(_ request: RipRecordRequestRequest, now: UnixMillis) throws -> Applied {
        let id = try id(of: request.session)
        try SessionRules.checkURL(request.url)
        do {  // the session's copy ends here, before the change in place
            guard let session = byID[id] else { throw Self.notFound(request.session) }
            try Self.checkRecording(session, at: now)
        }
        // In place: the hottest change, replayed for every recorded request.
        return modify(id, now: now) { session in
            session.metadata.requestsCount = session.metadata.requestsCount.saturatingAdd(1)
            session.metadata.lastRequestURL = request.url
            if request.success {
                session.metadata.successCount = session.metadata.successCount.saturatingAdd(1)
            } else {
                session.metadata.errorCount = session.metadata.errorCount.saturatingAdd(1)
            }
            session.touch(at: now)
        }
    }

    /// Only an active, unexpired session records requests.
    private static func checkRecording(_ session: RipSession, at now: UnixMillis) throws {
        guard session.state == .active else {
            throw RipError.failedPrecondition(
                "session '\(session.name)' is \(SessionLifecycle.name(of: session.state)); only active sessions record requests")
        }
        guard !session.isExpired(at: now) else {
            throw RipError.failedPrecondition(
                "session '\(session.name)' expired; extend it with `ripctl session extend` first")
        }
    }

    mutating func removeExpired(now: UnixMillis) -> Applied {
        var applied = Applied()
        for session in expired(at: now) {
            remove(session, now: now, into: &applied)
        }
        return applied
    }

    mutating func importSession(
        _ request: RipImportSessionRequest, id: String, limit: RipSessionLimit, now: UnixMillis
    ) throws -> Applied {
        var session = request.session
        session.parentID = ""
        if session.state == .unspecified { session.state = .active }
        guard SessionLifecycle.allStates.contains(session.state) else {
            throw RipError.invalidArgument("session state \(session.state.rawValue) is not a known state")
        }
        if session.state == .failed { try SessionRules.checkReason(session.failureReason) }
        try SessionRules.checkImported(session)
        guard let existing = idByName[session.name].flatMap({ byID[$0] }) else {
            return try insert(session, id: id, limit: limit, now: now, keepingTimes: true)
        }
        guard request.overwrite else {
            throw RipError.alreadyExists("a session named '\(session.name)' exists; import with overwrite to replace it")
        }
        session.id = existing.id
        try validate(session)
        byID[session.id] = session
        var applied = Applied()
        applied.record(.updated, session)
        return applied
    }

    // MARK: - Shared steps

    /// Adds a new session after checking its fields, its name's uniqueness and the limit.
    private mutating func insert(
        _ new: RipSession, id: String, limit: RipSessionLimit, now: UnixMillis, keepingTimes: Bool = false
    ) throws -> Applied {
        var session = new
        guard RipID.session.isWellFormed(id), byID[id] == nil else {
            throw RipError.internalError("mutation carries an unusable session id '\(id)'")
        }
        session.id = id
        try validate(session)
        if !keepingTimes || !session.hasCreatedAt {
            session.createdAt = .init(unixMillis: now)
            session.updatedAt = session.createdAt
            session.lastUsedAt = session.createdAt
            session.state = .active
            session.resetExpiry()
        }
        guard idByName[session.name] == nil else {
            throw RipError.alreadyExists("a session named '\(session.name)' already exists")
        }
        var applied = Applied()
        if byID.count >= Int(clamping: limit.maxSessions) {
            guard limit.evictLru, let victim = leastRecentlyUsed() else {
                throw RipError.resourceExhausted(
                    "session limit of \(limit.maxSessions) reached; remove sessions, run `ripctl session cleanup`, "
                        + "or start ripd with a larger --max-sessions or --session-limit-policy evict-lru")
            }
            remove(victim, now: now, into: &applied, isResult: false)
        }
        byID[session.id] = session
        idByName[session.name] = session.id
        applied.record(.created, session)
        return applied
    }

    /// Stores a changed session, stamping its update time.
    /// Stores a changed copy of a session, stamped at `now`. Consuming: stamping a copy the
    /// caller still held would copy its storage once more.
    private mutating func replace(_ changed: consuming RipSession, now: UnixMillis) -> Applied {
        var session = changed
        session.updatedAt = .init(unixMillis: now)
        byID[session.id] = session
        var applied = Applied()
        applied.record(.updated, session)
        return applied
    }

    /// Changes session `id` (which exists) where it is stored, without copying its storage,
    /// stamps it at `now` and records the update.
    private mutating func modify(_ id: String, now: UnixMillis, _ change: (inout RipSession) -> Void) -> Applied {
        func stamp(_ session: inout RipSession) -> Applied {
            change(&session)
            session.updatedAt = .init(unixMillis: now)
            var applied = Applied()
            applied.record(.updated, session)
            return applied
        }
        return stamp(&byID[id]!)
    }

    /// Removes a session; its children become root sessions and it stops being current.
    private mutating func remove(
        _ session: RipSession, now: UnixMillis, into applied: inout Applied, isResult: Bool = true
    ) {
        byID[session.id] = nil
        idByName[session.name] = nil
        if currentID == session.id { currentID = nil }
        applied.record(.deleted, session, isResult: isResult)
        for var child in byID.values.filter({ $0.parentID == session.id }).sorted(by: { $0.name < $1.name }) {
            child.parentID = ""
            child.updatedAt = .init(unixMillis: now)
            byID[child.id] = child
            applied.record(.updated, child, isResult: false)
        }
    }

    private func leastRecentlyUsed() -> RipSession? {
        byID.values.min { ($0.lastUsedAt.unixMillis, $0.id) < ($1.lastUsedAt.unixMillis, $1.id) }
    }

    private func validate(_ session: RipSession) throws {
        try SessionRules.checkName(session.name)
        try SessionRules.checkDescription(session.description_p)
        try SessionRules.checkTags(session.tags)
        try SessionRules.checkHeaders(session.headers)
        try SessionRules.checkHeaderValue(session.userAgent, what: "user agent")
        try SessionRules.checkMinutes(session.timeoutMinutes, what: "timeout")
    }

    private func deduplicated(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }
}

extension RipSession {
    /// Marks a use: the expiry moves to `timeout_minutes` after now, never earlier than an
    /// extension already granted.
    mutating func touch(at now: UnixMillis) {
        lastUsedAt = .init(unixMillis: now)
        if timeoutMinutes > 0 {
            let expiry = now + Int64(timeoutMinutes) * 60_000
            if !hasExpiresAt || expiresAt.unixMillis < expiry { expiresAt = .init(unixMillis: expiry) }
        }
    }

    /// Recomputes the expiry from the last use after the timeout changed.
    mutating func resetExpiry() {
        if timeoutMinutes == 0 {
            clearExpiresAt()
        } else {
            expiresAt = .init(unixMillis: lastUsedAt.unixMillis + Int64(timeoutMinutes) * 60_000)
        }
    }

    /// Header names are case-insensitive (RFC 9110 §5.1); they are tokens, so ASCII case
    /// folding is exact. Returns whether one was removed.
    @discardableResult
    mutating func removeHeader(named name: String) -> Bool {
        if headers.removeValue(forKey: name) != nil { return true }
        let matches = headers.keys.filter { $0.utf8.elementsEqual(name.utf8, by: Self.sameIgnoringASCIICase) }
        for key in matches { headers[key] = nil }
        return !matches.isEmpty
    }

    /// Equal bytes, or the same ASCII letter in either case.
    private static func sameIgnoringASCIICase(_ a: UInt8, _ b: UInt8) -> Bool {
        let lower = a | 0x20
        return a == b || (lower == b | 0x20 && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
    }
}
