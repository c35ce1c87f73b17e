import NIOCore
import RipCore
import RipEngine
import RipProto

/// The engine's one commit, as a call's handler uses it: on the call's event loop, its reply
/// (`Reply`) sent once the change is durable.
extension StateEngine {
    /// Makes `change` for a call on `eventLoop` and builds its reply from what it did; the
    /// reply waits for durability when the engine journals.
    func commit<Extra, Response>(
        changing change: EngineChange<Extra>, on eventLoop: any EventLoop, reply: (Applied, Extra) -> Response
    ) throws -> Reply<Response> {
        guard isJournaled else {
            let (applied, extra) = try commit(changing: change, durability: nil)
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
        _ mutation: RipMutation, on eventLoop: any EventLoop, reply: (Applied) -> Response
    ) throws -> Reply<Response> {
        try commit(changing: { try Self.applying(mutation, to: &$0, at: $1) }, on: eventLoop) { applied, _ in reply(applied) }
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
