import Synchronization

/// Work to do when a call that outlives its request ends early: when its connection closes, or
/// when the client cancels that call. A parked claim registers here, is answered and forgotten
/// then, and removes its hook when it ends first, so a long-lived connection collects nothing.
final class ConnectionClosing: Sendable {
    /// Why a hook runs.
    enum Reason: Sendable {
        /// The connection closed: nobody will read an answer.
        case closed
        /// The client cancelled the call.
        case cancelled
    }

    private struct Hooks {
        var next: UInt64 = 0
        var pending: [UInt64: (call: UInt64, hook: @Sendable (Reason) -> Void)] = [:]
        var closed = false
    }

    private let hooks = Mutex(Hooks())

    init() {}

    /// Registers `hook` for the call with id `call`; returns its key, or runs it at once and
    /// returns nil if the connection already closed.
    func add(call: UInt64, _ hook: @escaping @Sendable (Reason) -> Void) -> UInt64? {
        let key = hooks.withLock { hooks -> UInt64? in
            guard !hooks.closed else { return nil }
            defer { hooks.next += 1 }
            hooks.pending[hooks.next] = (call, hook)
            return hooks.next
        }
        if key == nil { hook(.closed) }
        return key
    }

    func remove(_ key: UInt64) {
        _ = hooks.withLock { $0.pending.removeValue(forKey: key) }
    }

    /// Runs the hooks of call `id` (its client cancelled it); returns whether there were any.
    @discardableResult
    func cancel(call id: UInt64) -> Bool {
        let hooks = hooks.withLock { hooks in
            let keys = hooks.pending.filter { $0.value.call == id }.keys
            return keys.compactMap { hooks.pending.removeValue(forKey: $0)?.hook }
        }
        for hook in hooks { hook(.cancelled) }
        return !hooks.isEmpty
    }

    /// Runs every hook still registered; later ones run as they are added.
    func close() {
        let pending = hooks.withLock { hooks in
            hooks.closed = true
            defer { hooks.pending.removeAll() }
            return Array(hooks.pending.values)
        }
        for entry in pending { entry.hook(.closed) }
    }
}
