import NIOCore
import RipCore
import RipEngine
import RipProto

/// The schedule calls of `rip.v1.JobService`: each change is decided from the state under the
/// writer lock and answered with the schedule as it is then, once durable.
struct ScheduleMethods {
    let store: any StateEngine
    /// The webhooks a schedule's job template may name.
    let webhooks: WebhookPolicy

    func register(in table: inout MethodTable) {
        typealias Service = RipJobService
        let store = self.store
        let webhooks = self.webhooks
        table.changing(Service.addSchedule) { request, loop in
            try Self.commit(request.name, store, loop) { state, now in
                try state.decideAddSchedule(request, webhooks: webhooks, now: now)
            }
        }
        table.unary(Service.listSchedules) { _ in
            try store.read { state, _ in state.schedules.list() }
        }
        table.unary(Service.getSchedule) { request in
            try store.read { state, _ in try state.schedules.find(request.name) }
        }
        table.changing(Service.removeSchedule) { request, loop in
            try Self.commit(request.name, store, loop, answering: .before) { _, _ in .with { $0.removeSchedule = request } }
        }
        table.changing(Service.pauseSchedule) { request, loop in
            try Self.commit(request.name, store, loop) { _, _ in .with { $0.pauseSchedule = request } }
        }
        table.changing(Service.resumeSchedule) { request, loop in
            try Self.commit(request.name, store, loop) { state, now in try state.decideResumeSchedule(request.name, now: now) }
        }
    }

    enum Answer { case before, after }

    /// Commits what `build` decides; replies with schedule `name` as it was before the change
    /// or as it is after it.
    private static func commit(
        _ name: String, _ store: any StateEngine, _ loop: any EventLoop, answering answer: Answer = .after,
        _ build: @escaping (borrowing RipState, UnixMillis) throws -> RipMutation
    ) throws -> Reply<RipSchedule> {
        try store.commit(
            changing: { state, now -> (RipMutation?, Applied, RipSchedule) in
                let before = try? state.schedules.find(name)
                let mutation = try build(state, now)
                let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                return (recorded, applied, (answer == .before ? before : try? state.schedules.find(name)) ?? RipSchedule())
            }, on: loop
        ) { _, schedule in schedule }
    }
}
