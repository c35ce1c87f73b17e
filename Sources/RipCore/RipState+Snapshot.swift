import RipProto

extension RipState {
    /// The whole state as a snapshot record that contains every change up to `lastSequence`.
    public func snapshot(lastSequence: UInt64) -> Rip_V1_Snapshot {
        .with {
            $0.lastSequence = lastSequence
            $0.sessions = sessions.byID.values.sorted { $0.id < $1.id }
            $0.currentSessionID = sessions.currentID ?? ""
        }
    }

    /// The state a snapshot describes.
    public init(snapshot: Rip_V1_Snapshot) {
        self.init()
        sessions = SessionBook(sessions: snapshot.sessions, currentID: snapshot.currentSessionID)
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
