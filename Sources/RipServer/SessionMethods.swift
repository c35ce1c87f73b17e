import RipCore
import RipProto
import RipWire

/// The handlers of `rip.v1.SessionService`: reads go straight to the state, changes become
/// mutations committed through the `StateStore`.
struct SessionMethods {
    let store: StateStore
    let limit: Rip_V1_SessionLimit

    func register(in table: inout MethodTable) {
        let store = self.store
        typealias Service = Rip_V1_SessionService
        /// A mutation that may create a session: it carries a fresh id and the limit in force.
        let creating: @Sendable ((inout Rip_V1_Mutation) -> Void) -> Rip_V1_Mutation = { [limit] change in
            .with {
                change(&$0)
                $0.newSessionID = SessionID.generate()
                $0.sessionLimit = limit
            }
        }

        table.unary(Service.createSession) { request in
            try store.commit(creating { $0.createSession = request }).session
        }
        table.unary(Service.getSession) { request in
            try store.read { state, _ in try state.sessions.find(request.session) }
        }
        table.unary(Service.listSessions) { request in
            try store.read { state, now in
                try Rip_V1_ListSessionsResponse.with { $0.sessions = try state.sessions.list(request, now: now) }
            }
        }
        table.unary(Service.useSession) { request in
            try store.commit(creating { $0.useSession = request }).session
        }
        table.unary(Service.getCurrentSession) { _ in
            try store.read { state, _ in try state.sessions.current() }
        }
        table.unary(Service.updateSession) { request in
            try store.commit(.with { $0.updateSession = request }).session
        }
        table.unary(Service.deleteSessions) { request in
            let applied = try store.commit(.with { $0.deleteSessions = request })
            return .with { $0.deleted = applied.sessions }
        }
        table.unary(Service.cloneSession) { request in
            try store.commit(creating { $0.cloneSession = request }).session
        }
        table.unary(Service.clearSession) { request in
            try store.commit(.with { $0.sessionClear = request }).session
        }
        table.unary(Service.addHeaders) { request in
            try store.commit(.with { $0.addHeaders = request }).session
        }
        table.unary(Service.removeHeaders) { request in
            try store.commit(.with { $0.removeHeaders = request }).session
        }
        table.unary(Service.extendSession) { request in
            try store.commit(.with { $0.extendSession = request }).session
        }
        table.unary(Service.changeSessionState) { request in
            try store.commit(.with { $0.changeSessionState = request }).session
        }
        table.unary(Service.recordRequest) { request in
            try store.commit(.with { $0.recordRequest = request }).session
        }
        table.unary(Service.sessionStats) { request in
            try store.read { state, now in try state.sessions.stats(request, now: now) }
        }
        table.unary(Service.cleanupSessions) { request in
            let applied = try store.commit(.with { $0.cleanupSessions = request })
            return .with { $0.removed = applied.sessions }
        }
        table.unary(Service.importSession) { request in
            try store.commit(creating { $0.importSession = request }).session
        }
        table.serverStream(Service.watchSessions) { request, stream in
            let sessionID =
                request.session.isEmpty ? nil : try store.read { state, _ in try state.sessions.find(request.session).id }
            let token = store.watch(sessionID: sessionID) { event in stream.send(event) }
            return { store.unwatch(token) }
        }
    }
}
