import RipCore
import RipProto
import Foundation
import Synchronization

/// The single writer: owns the `RipState`, applies mutations one at a time, and hands each
/// change event to the watchers in the order the changes were applied.
///
/// One `Mutex` serializes every commit; reads take the same lock briefly and never touch the
/// disk. Events are handed to watchers while the lock is held, so their order is the apply
/// order; watchers must only enqueue (see `ResponseStream`).
public final class StateStore: Sendable {
    public typealias Clock = @Sendable () -> UnixMillis

    private struct Guarded {
        var state = RipState()
        var watchers: [UInt64: Watcher] = [:]
        var nextWatcherID: UInt64 = 1
    }

    private struct Watcher {
        let sessionID: String?
        let deliver: @Sendable (Rip_V1_SessionEvent) -> Void
    }

    private let guarded = Mutex(Guarded())
    public let clock: Clock

    public init(clock: @escaping Clock = StateStore.wallClock) {
        self.clock = clock
    }

    /// Milliseconds since the Unix epoch, from the system's real-time clock.
    public static let wallClock: Clock = { UnixMillis((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Runs `body` against the current state and the current time.
    public func read<T: Sendable>(_ body: (borrowing RipState, UnixMillis) throws -> T) throws -> T {
        let now = clock()
        return try guarded.withLock { try body($0.state, now) }
    }

    /// Stamps `mutation` with the current time, applies it, and publishes its events.
    @discardableResult
    public func commit(_ mutation: Rip_V1_Mutation) throws -> Applied {
        var mutation = mutation
        mutation.timeUnixMs = clock()
        return try guarded.withLock { guarded in
            let applied = try guarded.state.apply(mutation)
            for event in applied.events {
                for watcher in guarded.watchers.values
                where watcher.sessionID == nil || watcher.sessionID == event.session.id {
                    watcher.deliver(event)
                }
            }
            return applied
        }
    }

    /// Registers `deliver` for every later change, of one session or of all; returns the
    /// token that `unwatch` takes.
    public func watch(
        sessionID: String?, deliver: @escaping @Sendable (Rip_V1_SessionEvent) -> Void
    ) -> UInt64 {
        guarded.withLock { guarded in
            let id = guarded.nextWatcherID
            guarded.nextWatcherID += 1
            guarded.watchers[id] = Watcher(sessionID: sessionID, deliver: deliver)
            return id
        }
    }

    public func unwatch(_ token: UInt64) {
        _ = guarded.withLock { $0.watchers.removeValue(forKey: token) }
    }
}
