import RipProto

extension RipState {
    /// The whole state as a snapshot record that contains every change up to `lastSequence`.
    public func snapshot(lastSequence: UInt64) -> RipSnapshot {
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
            $0.nextCreatedSeq = nextCreatedSeq
            $0.limits = jobs.limits.byKey.values.sorted { $0.key < $1.key }
            $0.schedules = schedules.byName.values.sorted { $0.name < $1.name }
        }
    }

    /// The serialization of `snapshot(lastSequence:)` in parts of about `partBytes` bytes each
    /// (more when one item is larger), in order. Each part is whole items; the parts
    /// concatenated are the serialization of the whole snapshot, since protobuf merges repeated
    /// fields by appending. So a state of any size is written without one message of that size
    /// (protobuf serializes at most 2 GiB at once).
    public func snapshotParts(lastSequence: UInt64, partBytes: Int, _ body: ([UInt8]) throws -> Void) throws {
        var part: [UInt8] = []
        func add(_ piece: RipSnapshot) throws {
            part += try piece.serializedBytes() as [UInt8]
            if part.count >= partBytes {
                try body(part)
                part.removeAll(keepingCapacity: true)
            }
        }
        let whole = snapshot(lastSequence: lastSequence)
        try add(.with {
            $0.lastSequence = whole.lastSequence
            $0.currentSessionID = whole.currentSessionID
            $0.nextQueueTicket = whole.nextQueueTicket
            $0.nextCreatedSeq = whole.nextCreatedSeq
            $0.limits = whole.limits
            $0.schedules = whole.schedules
        })
        for session in whole.sessions { try add(.with { $0.sessions = [session] }) }
        for jar in whole.cookieJars { try add(.with { $0.cookieJars = [jar] }) }
        for job in whole.jobs { try add(.with { $0.jobs = [job] }) }
        for log in whole.jobLogs { try add(.with { $0.jobLogs = [log] }) }
        for artifact in whole.artifacts { try add(.with { $0.artifacts = [artifact] }) }
        if !part.isEmpty { try body(part) }
    }

    /// The state a snapshot describes.
    public init(snapshot: RipSnapshot) {
        self.init()
        sessions = SessionBook(sessions: snapshot.sessions, currentID: snapshot.currentSessionID)
        for jar in snapshot.cookieJars where sessions.byID[jar.sessionID] != nil {
            cookieJars[jar.sessionID] = CookieJar(cookies: jar.cookies.map { Cookie($0, now: 0) })
        }
        jobs = JobBoard(snapshot: snapshot)
        for schedule in snapshot.schedules { schedules.byName[schedule.name] = schedule }
        for artifact in snapshot.artifacts { artifacts.insert(artifact) }
        // Snapshots written before created_seq was kept hold none (every item's is 0).
        nextCreatedSeq = max(snapshot.nextCreatedSeq, 1)
    }
}

extension SessionBook {
    init(sessions: [RipSession], currentID: String) {
        for session in sessions {
            byID[session.id] = session
            idByName[session.name] = session.id
        }
        self.currentID = currentID.isEmpty || byID[currentID] == nil ? nil : currentID
    }
}

extension JobBoard {
    init(snapshot: RipSnapshot) {
        queue = JobQueue(nextTicket: snapshot.nextQueueTicket)
        for limit in snapshot.limits { limits.byKey[limit.key] = limit }
        for job in snapshot.jobs {
            byID[job.id] = job
            if job.status == .pending {
                queue.restore(job)
                pendingCount += 1
            }
            if job.status == .running {
                running.insert(job.id)
                limits.started(job)
            }
            if job.status == .waiting { for id in job.waitingFor { dependents[id, default: []].insert(job.id) } }
            if job.webhookDelivery.state == .pending { pendingHooks.insert(job.id) }
            indexUniqueKey(of: job)
        }
        for job in byID.values.filter(\.status.isFinished).sorted(by: { $0.completedAt.unixMillis < $1.completedAt.unixMillis }) {
            finishOrder.stored(job, over: nil, in: byID)
        }
        for log in snapshot.jobLogs where byID[log.jobID] != nil {
            logs[log.jobID] = JobLog(entries: .init(log.entries), nextSeq: log.nextSeq, dropped: log.dropped)
        }
    }
}
