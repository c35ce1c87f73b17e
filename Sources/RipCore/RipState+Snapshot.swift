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
            $0.jobs = jobs.byID.values.sorted { $0.id < $1.id }
            $0.jobLogs = jobs.logs.sorted { $0.key < $1.key }.map { id, log in
                .with {
                    $0.jobID = id
                    $0.entries = Array(log.entries)
                    $0.nextSeq = log.nextSeq
                    $0.dropped = log.dropped
                }
            }
            $0.nextQueueTicket = jobs.queue.nextTicket
            $0.artifacts = artifacts.byID.values.sorted { $0.id < $1.id }
        }
    }

    /// The state a snapshot describes.
    public init(snapshot: Rip_V1_Snapshot) {
        self.init()
        sessions = SessionBook(sessions: snapshot.sessions, currentID: snapshot.currentSessionID)
        for jar in snapshot.cookieJars where sessions.byID[jar.sessionID] != nil {
            cookieJars[jar.sessionID] = CookieJar(cookies: jar.cookies.map { Cookie($0, now: 0) })
        }
        jobs = JobBoard(snapshot: snapshot)
        for artifact in snapshot.artifacts { artifacts.insert(artifact) }
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

extension JobBoard {
    init(snapshot: Rip_V1_Snapshot) {
        queue = JobQueue(nextTicket: snapshot.nextQueueTicket)
        for job in snapshot.jobs {
            byID[job.id] = job
            if job.status == .pending { queue.restore(job) }
            if job.status == .running { running.insert(job.id) }
        }
        for log in snapshot.jobLogs where byID[log.jobID] != nil {
            logs[log.jobID] = JobLog(entries: .init(log.entries), nextSeq: log.nextSeq, dropped: log.dropped)
        }
    }
}
