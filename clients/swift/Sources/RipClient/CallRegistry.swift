import Foundation
import RipWire
import Synchronization

/// The calls of one connection that await responses, keyed by call id.
final class CallRegistry: Sendable {
    enum Pending {
        case unary(CheckedContinuation<Data, any Error>)
        case stream(AsyncThrowingStream<Data, any Error>.Continuation)

        func fail(_ error: RipError) {
            switch self {
            case .unary(let continuation): continuation.resume(throwing: error)
            case .stream(let continuation): continuation.finish(throwing: error)
            }
        }
    }

    private struct State {
        var nextID: UInt64 = 1
        var pending: [UInt64: Pending] = [:]
        /// Set once the connection is gone; later calls fail with it at once.
        var closed: RipError?
    }

    private let state = Mutex(State())

    /// Why the connection closed, once it has.
    var closedError: RipError? { state.withLock { $0.closed } }

    func nextID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Records a call awaiting responses; fails it at once (returning false) when the
    /// connection is already closed.
    func register(_ id: UInt64, _ call: Pending) -> Bool {
        let closed = state.withLock { state -> RipError? in
            if state.closed == nil { state.pending[id] = call }
            return state.closed
        }
        if let closed { call.fail(closed) }
        return closed == nil
    }

    /// Fails call `id` if it is still pending; returns whether it was.
    func fail(_ id: UInt64, _ error: RipError) -> Bool {
        guard let call = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        call.fail(error)
        return true
    }

    /// Routes one response to its call.
    func deliver(id: UInt64, status: RipError?, payload: Data, endOfStream: Bool) {
        let call = state.withLock { state in
            endOfStream ? state.pending.removeValue(forKey: id) : state.pending[id]
        }
        switch call {
        case .unary(let continuation)?:
            if let status { continuation.resume(throwing: status) } else { continuation.resume(returning: payload) }
        case .stream(let continuation)?:
            if !payload.isEmpty || !endOfStream { continuation.yield(payload) }
            if endOfStream {
                if let status, status.code != .cancelled { continuation.finish(throwing: status) } else { continuation.finish() }
            }
        case nil:
            break  // cancelled locally; the daemon's late answer is dropped
        }
    }

    /// Fails every pending call and every later one with `error`.
    func closeAll(_ error: RipError) {
        let pending = state.withLock { state in
            if state.closed == nil { state.closed = error }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for call in pending { call.fail(error) }
    }
}
