import Foundation
import RipCore
import RipProto
import Synchronization

/// The engine of one daemon: the state in this process's memory, one writer at a time,
/// every change journaled (to the write-ahead log, or to nothing) and published to watchers
/// in apply order.
///
/// One `Mutex` serializes every commit; reads take the same lock briefly and never touch the
/// disk. Under the lock a commit applies its change, has the journal number its record and
/// hands the events to the watchers, so their order is the apply order; encoding and writing
/// the record, and encoding the events for each stream, happen outside it.
public final class EmbeddedEngine: StateEngine {
    private struct Guarded {
        var state: RipState
        var watchers: [UInt64: EngineWatcher] = [:]
        var nextWatcherID: UInt64 = 1
        var releaseBlobs: BlobRelease?
    }

    private let guarded: Mutex<Guarded>
    private let journal: (any Journal)?
    public let clock: EngineClock

    /// - Parameters:
    ///   - state: the state to start from (what recovery rebuilt).
    ///   - journal: where every applied mutation is appended; nil keeps state in memory only.
    public init(state: RipState = RipState(), journal: (any Journal)? = nil, clock: @escaping EngineClock = EmbeddedEngine.wallClock) {
        self.guarded = Mutex(Guarded(state: state))
        self.journal = journal
        self.clock = clock
    }

    /// Milliseconds since the Unix epoch, from the system's real-time clock.
    public static let wallClock: EngineClock = { UnixMillis((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    public var isJournaled: Bool { journal != nil }

    public func read<T: Sendable>(_ body: (borrowing RipState, UnixMillis) throws -> T) throws -> T {
        let now = clock()
        return try guarded.withLock { try body($0.state, now) }
    }

    public func access<T: Sendable>(_ body: (inout RipState, UnixMillis) throws -> T) throws -> T {
        let now = clock()
        return try guarded.withLock { try body(&$0.state, now) }
    }

    public func commit<Extra>(
        changing change: EngineChange<Extra>, durability: Durability?
    ) throws -> (applied: Applied, extra: Extra) {
        let now = clock()
        return try guarded.withLock { guarded in
            let (changed, applied, extra) = try change(&guarded.state, now)
            guard var mutation = changed else {
                durability?.succeed()
                return (applied, extra)
            }
            mutation.timeUnixMs = now
            var durability = durability
            if let release = guarded.releaseBlobs, !applied.releasedBlobs.isEmpty {
                // Whatever released them (a deleted artifact, session or job, a sweep), the
                // blobs go once the record is durable, and the change counts as done after.
                durability = Self.releasing(applied.releasedBlobs, with: release, then: durability)
            }
            if let journal {
                journal.append(mutation, durability: durability)
            } else {
                durability?.succeed()
            }
            if !applied.events.isEmpty || !applied.jobEvents.isEmpty {
                for watcher in guarded.watchers.values { watcher(applied) }
            }
            return (applied, extra)
        }
    }

    /// Applies mutations another daemon committed, in their order, without journaling them
    /// (they are durable already) and publishes what they did to the watchers. A record this
    /// build refuses is skipped, as recovery skips it (`apply` changes nothing when it throws);
    /// `skipped` hears of it. Returns whether any of them readied a job (parked claims may take it).
    public func replay(
        _ mutations: some Sequence<RipMutation>, skipped: (RipMutation, any Error) -> Void
    ) -> Bool {
        guarded.withLock { guarded in
            var readied = false
            for mutation in mutations {
                do {
                    let applied = try guarded.state.apply(mutation)
                    if !applied.events.isEmpty || !applied.jobEvents.isEmpty {
                        for watcher in guarded.watchers.values { watcher(applied) }
                    }
                    readied = readied || applied.readiedJobs
                } catch {
                    skipped(mutation, error)
                }
            }
            return readied
        }
    }

    /// A durability that, once the record is durable, removes `blobs` and then reports to
    /// `then`.
    private static func releasing(
        _ blobs: [String], with release: @escaping BlobRelease, then outer: Durability?
    ) -> Durability {
        Durability(runner: outer?.runner) { result in
            guard case .success = result else {
                outer?.complete(result)
                return
            }
            release(blobs) { outer?.succeed() }
        }
    }

    public func releaseBlobs(with release: @escaping BlobRelease) {
        guarded.withLock { $0.releaseBlobs = release }
    }

    public func snapshot() -> (state: RipState, lastSequence: UInt64) {
        guarded.withLock { ($0.state, (journal?.nextSequence ?? 1) - 1) }
    }

    /// Replaces the state with `rebuild()`'s under the lock: after a failed write, storage
    /// rebuilds from disk so the state holds exactly the durable changes. If rebuilding fails
    /// too, the state is kept as it is.
    public func reload(_ rebuild: () throws -> RipState) {
        guarded.withLock { guarded in
            if let state = try? rebuild() { guarded.state = state }
        }
    }

    public func watch<T>(
        starting start: (borrowing RipState, UnixMillis) throws -> T, _ watcher: @escaping EngineWatcher
    ) throws -> (token: UInt64, start: T) {
        let now = clock()
        return try guarded.withLock { guarded in
            let first = try start(guarded.state, now)
            let id = guarded.nextWatcherID
            guarded.nextWatcherID += 1
            guarded.watchers[id] = watcher
            return (id, first)
        }
    }

    public func unwatch(_ token: UInt64) {
        _ = guarded.withLock { $0.watchers.removeValue(forKey: token) }
    }
}
