import RipProto

extension RipState {
    /// The whole state as a snapshot record that contains every change up to `lastSequence`.
    public func snapshot(lastSequence: UInt64) -> Rip_V1_Snapshot {
        .with {
            $0.lastSequence = lastSequence
            $0.sessions = sessions.byID.values.sorted { $0.id < $1.id }
            $0.currentSessionID = sessions.currentID ?? ""
            $0.cookieJars = cookieJars.sorted { $0.key < $1.key }.map { id, jar in
                .with {
                    $0.sessionID = id
                    $0.cookies = jar.all.map(\.message)
                }
            }
        }
    }

    /// The state a snapshot describes.
    public init(snapshot: Rip_V1_Snapshot) {
        self.init()
        sessions = SessionBook(sessions: snapshot.sessions, currentID: snapshot.currentSessionID)
        for jar in snapshot.cookieJars where sessions.byID[jar.sessionID] != nil {
            cookieJars[jar.sessionID] = CookieJar(cookies: jar.cookies.map { Cookie($0, now: 0) })
        }
    }
}

extension SessionBook {
    init(sessions: [Rip_V1_Session], currentID: String) {
        for session in sessions {
            byID[session.id] = session
            idByName[session.name] = session.id
        }
        self.currentID = currentID.isEmpty || byID[currentID] == nil ? nil : currentID
    }
}
