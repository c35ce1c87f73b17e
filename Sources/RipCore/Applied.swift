import RipProto

/// What applying one mutation did: the sessions it produced or removed (the reply to the call
/// that made it) and the change events watchers receive, in order.
public struct Applied: Sendable, Equatable {
    public var sessions: [Rip_V1_Session] = []
    public var events: [Rip_V1_SessionEvent] = []

    public init() {}

    /// The session a single-session mutation produced.
    public var session: Rip_V1_Session { sessions.last ?? Rip_V1_Session() }

    mutating func record(_ kind: Rip_V1_SessionEvent.Kind, _ session: Rip_V1_Session, isResult: Bool = true) {
        if isResult { sessions.append(session) }
        events.append(.with {
            $0.kind = kind
            $0.session = session
        })
    }
}
