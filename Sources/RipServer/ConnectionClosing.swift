import Synchronization

/// Work to do when a connection closes, registered by calls that outlive their request (a
/// parked claim is answered and forgotten then) and removed when such a call ends first, so a
/// long-lived connection collects nothing.
final class ConnectionClosing: Sendable {
    private struct Hooks {
        var next: UInt64 = 0
        var pending: [UInt64: @Sendable () -> Void] = [:]
        var closed = false
    }

    private let hooks = Mutex(Hooks())

    init() {}

    /// Registers `hook`; returns its key, or runs it at once and returns nil if the connection
    /// already closed.
    func add(_ hook: @escaping @Sendable () -> Void) -> UInt64? {
        let key = hooks.withLock { hooks -> UInt64? in
            guard !hooks.closed else { return nil }
            defer { hooks.next += 1 }
            hooks.pending[hooks.next] = hook
            return hooks.next
        }
        if key == nil { hook() }
        return key
    }

    func remove(_ key: UInt64) {
        _ = hooks.withLock { $0.pending.removeValue(forKey: key) }
    }

    /// Runs every hook still registered; later ones run as they are added.
    func close() {
        let pending = hooks.withLock { hooks in
            hooks.closed = true
            defer { hooks.pending.removeAll() }
            return Array(hooks.pending.values)
        }
        for hook in pending { hook() }
    }
}
