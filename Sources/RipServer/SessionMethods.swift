import RipCore
import RipEngine
import RipProto
import RipWire

/// The handlers of `rip.v1.SessionService`: reads go straight to the state; changes become
/// mutations committed through the `StateEngine`, answered once they are durable.
struct SessionMethods {
    let store: any StateEngine
    let limit: RipSessionLimit

    func register(in table: inout MethodTable) {
        let store = self.store
        typealias Service = RipSessionService
        /// A mutation that may create a session: it carries a fresh id and the limit in force.
        let creating: @Sendable ((inout RipMutation) -> Void) -> RipMutation = { [limit] change in
            .with {
                change(&$0)
                $0.newSessionID = RipID.session.generate()
                $0.sessionLimit = limit
            }
        }
        /// The session a single-session change produced.
        let session: @Sendable (Applied) -> RipSession = { $0.session }

        table.changing(Service.createSession) { request, loop in
            try store.commit(creating { $0.createSession = request }, on: loop, reply: session)
        }
        table.unary(Service.getSession) { request in
            try store.read { state, _ in try state.sessions.find(request.session) }
        }
        table.unary(Service.listSessions) { request in
            try store.read { state, now in
                try RipListSessionsResponse.with { $0.sessions = try state.sessions.list(request, now: now) }
            }
        }
        table.changing(Service.useSession) { request, loop in
            try store.commit(creating { $0.useSession = request }, on: loop, reply: session)
        }
        table.unary(Service.getCurrentSession) { _ in
            try store.read { state, _ in try state.sessions.current() }
        }
        table.changing(Service.updateSession) { request, loop in
            try store.commit(.with { $0.updateSession = request }, on: loop, reply: session)
        }
        table.changing(Service.deleteSessions) { request, loop in
            try store.commit(.with { $0.deleteSessions = request }, on: loop) { applied in
                .with { $0.deleted = applied.sessions }
            }
        }
        table.changing(Service.cloneSession) { request, loop in
            try store.commit(creating { $0.cloneSession = request }, on: loop, reply: session)
        }
        table.changing(Service.clearSession) { request, loop in
            try store.commit(.with { $0.sessionClear = request }, on: loop, reply: session)
        }
        table.changing(Service.addHeaders) { request, loop in
            try store.commit(.with { $0.addHeaders = request }, on: loop, reply: session)
        }
        table.changing(Service.removeHeaders) { request, loop in
            try store.commit(.with { $0.removeHeaders = request }, on: loop, reply: session)
        }
        table.changing(Service.extendSession) { request, loop in
            try store.commit(.with { $0.extendSession = request }, on: loop, reply: session)
        }
        table.changing(Service.changeSessionState) { request, loop in
            try store.commit(.with { $0.changeSessionState = request }, on: loop, reply: session)
        }
        table.changing(Service.recordRequest) { request, loop in
            try store.commit(.with { $0.recordRequest = request }, on: loop, reply: session)
        }
        table.unary(Service.sessionStats) { request in
            try store.read { state, now in try state.sessions.stats(request, now: now) }
        }
        table.changing(Service.cleanupSessions) { request, loop in
            try store.commit(.with { $0.cleanupSessions = request }, on: loop) { applied in
                .with { $0.removed = applied.sessions }
            }
        }
        table.changing(Service.importSession) { request, loop in
            try store.commit(creating { $0.importSession = request }, on: loop, reply: session)
        }
        table.serverStream(Service.watchSessions) { request, stream in
            let sessionID =
                request.session.isEmpty ? nil : try store.read { state, _ in try state.sessions.id(of: request.session) }
            let (token, _) = try store.watch(starting: { _, _ in }) { applied in
                for event in applied.events where sessionID == nil || event.session.id == sessionID {
                    stream.send(event)
                }
            }
            return { store.unwatch(token) }
        }
    }
}
