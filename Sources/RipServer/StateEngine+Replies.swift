import NIOCore
import RipCore
import RipEngine
import RipProto
import RipStorage

/// The engine's one commit, as a call's handler uses it: on the call's event loop, its reply
/// (`Reply`) sent once the change is durable.
extension StateEngine {
    /// Makes `change` for a call on `eventLoop` and builds its reply from what it did; the
    /// reply waits for durability when the engine journals, unless `answered` is `.whenApplied`.
    func commit<Extra, Response>(
        changing change: EngineChange<Extra>, on eventLoop: any EventLoop, answered: Answered = .whenDurable,
        reply: (Applied, Extra) -> Response
    ) throws -> Reply<Response> {
        guard isJournaled, answered == .whenDurable else {
            // Written with the loop's next batch all the same; nobody waits for it.
            let durability = isJournaled ? Durability.unawaited(on: eventLoop) : nil
            let (applied, extra) = try commit(changing: change, durability: durability)
            return .now(reply(applied, extra))
        }
        let durable = eventLoop.makePromise(of: Void.self)
        do {
            let (applied, extra) = try commit(changing: change, durability: Durability(durable))
            return .whenDurable(reply(applied, extra), durable.futureResult)
        } catch {
            durable.fail(error)  // rejected before it reached the log: nothing will complete it
            throw error
        }
    }

    /// Commits `mutation` for a call on `eventLoop`.
    func commit<Response>(
        _ mutation: RipMutation, on eventLoop: any EventLoop, answered: Answered = .whenDurable,
        reply: (Applied) -> Response
    ) throws -> Reply<Response> {
        try commit(changing: { try Self.applying(mutation, to: &$0, at: $1) }, on: eventLoop, answered: answered) {
            applied, _ in reply(applied)
        }
    }

    /// Commits the mutation `build` makes from the state under the writer lock (when it needs
    /// what the state holds: a session's id, a job's attempt).
    func commit<Response>(
        building build: (borrowing RipState, UnixMillis) throws -> RipMutation, on eventLoop: any EventLoop,
        reply: (Applied) -> Response
    ) throws -> Reply<Response> {
        try commit(changing: { state, now in try Self.applying(try build(state, now), to: &state, at: now) }, on: eventLoop) {
            applied, _ in reply(applied)
        }
    }
}

/// When a change's reply goes out: once its record is durable (every call but two), or as soon
/// as it is applied. Only `Claim` and `Heartbeat` answer when applied: their records are
/// written with the same batch, but if ripd dies before that batch is durable the claim or the
/// lease extension is lost, and the lease's fencing token keeps that safe. The job is pending
/// (or its lease shorter) again after the restart, and the worker's token no longer matches,
/// so its completion is refused and the job runs again: at least once, as after any lease
/// expiry. What a worker reports (logs, checkpoints, completion, failure) is answered only
/// once durable.
enum Answered {
    case whenDurable
    case whenApplied
}
