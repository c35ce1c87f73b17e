import RipCore
import NIOCore
import NIOPosix
import RipProto
import RipStorage
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
        var releaseBlobs: BlobRelease?
    }

    /// Removes the files of blobs no artifact holds any more (`Applied.releasedBlobs`), off the
    /// writer lock; the future completes once they are gone.
    public typealias BlobRelease = @Sendable (_ sha256s: [String], _ eventLoop: any EventLoop) -> EventLoopFuture<Void>

    /// Gets what every later change did, under the writer lock, in apply order.
    public typealias Watcher = @Sendable (Applied) -> Void

    private let guarded: Mutex<Guarded>
    private let journal: (any Journal)?
    public let clock: Clock

    /// - Parameters:
    ///   - state: the state to start from (what recovery rebuilt).
    ///   - journal: where every applied mutation is appended; nil keeps state in memory only.
    public init(state: RipState = RipState(), journal: (any Journal)? = nil, clock: @escaping Clock = StateStore.wallClock) {
        self.guarded = Mutex(Guarded(state: state))
        self.journal = journal
        self.clock = clock
    }

    /// Milliseconds since the Unix epoch, from the system's real-time clock.
    public static let wallClock: Clock = { UnixMillis((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Runs `body` against the current state and the current time.
    public func read<T: Sendable>(_ body: (borrowing RipState, UnixMillis) throws -> T) throws -> T {
        let now = clock()
        return try guarded.withLock { try body($0.state, now) }
    }

    /// Stamps `mutation` with the current time, applies it, appends it to the journal and
    /// publishes its events. `durable` succeeds once the record is durable under the fsync
    /// policy (at once without a journal), or fails if it cannot be written.
    @discardableResult
    public func commit(_ mutation: RipMutation, durable: EventLoopPromise<Void>? = nil) throws -> Applied {
        try commit(changing: { try Self.apply(mutation, to: &$0, at: $1) }, durable: durable).applied
    }

    /// `mutation` stamped with the time and applied: the change of every call but the cookie
    /// calls. Called from non-escaping closures, so a commit allocates no closure context.
    private static func apply(
        _ mutation: RipMutation, to state: inout RipState, at now: UnixMillis
    ) throws -> (RipMutation?, Applied, Void) {
        var mutation = mutation
        mutation.timeUnixMs = now
        return (mutation, try state.apply(mutation), ())
    }

    /// A change made to the state under the writer lock at the given time: it returns the
    /// mutation that records what it did (nil when it changed nothing), what applying it did,
    /// and anything else its caller needs. It may only throw before changing anything.
    public typealias Change<Extra> = (inout RipState, UnixMillis) throws -> (RipMutation?, Applied, Extra)

    /// Makes `change` under the writer lock, appends its mutation to the journal and publishes
    /// its events. Cookie calls change their jar in place and record the steps they took
    /// (eviction depends on last-access times that are not logged); every other call applies
    /// a mutation. A nil mutation is not logged; `durable` then succeeds at once.
    public func commit<Extra>(
        changing change: Change<Extra>, durable: EventLoopPromise<Void>? = nil
    ) throws -> (applied: Applied, extra: Extra) {
        let now = clock()
        return try guarded.withLock { guarded in
            let (changed, applied, extra) = try change(&guarded.state, now)
            guard var mutation = changed else {
                durable?.succeed()
                return (applied, extra)
            }
            mutation.timeUnixMs = now
            let released = applied.releasedBlobs
            if let release = guarded.releaseBlobs, !released.isEmpty {
                // Whatever released them (a deleted artifact, session or job, a sweep), the
                // blobs go once the record is durable, and the change counts as done after.
                let loop = durable?.futureResult.eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
                let written = loop.makePromise(of: Void.self)
                if let journal { journal.append(try mutation.serializedBytes(), promise: written) } else { written.succeed() }
                let removed = written.futureResult.flatMap { release(released, loop) }
                if let durable { removed.cascade(to: durable) }
            } else if let journal {
                journal.append(try mutation.serializedBytes(), promise: durable)
            } else {
                durable?.succeed()
            }
            if !applied.events.isEmpty || !applied.jobEvents.isEmpty {
                for watcher in guarded.watchers.values { watcher(applied) }
            }
            return (applied, extra)
        }
    }

    /// Commits the mutation `build` makes from the state under the writer lock (when it needs
    /// what the state holds: a session's id, a job's attempt), stamped with the time and
    /// applied.
    public func commit<Response>(
        building build: (borrowing RipState, UnixMillis) throws -> RipMutation, on eventLoop: any EventLoop,
        reply: (Applied) -> Response
    ) throws -> Reply<Response> {
        try commit(changing: { state, now in try Self.apply(try build(state, now), to: &state, at: now) }, on: eventLoop) {
            applied, _ in reply(applied)
        }
    }

    /// Commits `mutation` for a call on `eventLoop`; its reply waits for durability when there
    /// is a journal.
    public func commit<Response>(
        _ mutation: RipMutation, on eventLoop: any EventLoop, reply: (Applied) -> Response
    ) throws -> Reply<Response> {
        try commit(changing: { try Self.apply(mutation, to: &$0, at: $1) }, on: eventLoop) { applied, _ in reply(applied) }
    }

    /// `commit(changing:durable:)` for a call on `eventLoop`; its reply waits for durability
    /// when there is a journal.
    public func commit<Extra, Response>(
        changing change: Change<Extra>, on eventLoop: any EventLoop, reply: (Applied, Extra) -> Response
    ) throws -> Reply<Response> {
        guard journal != nil else {
            let (applied, extra) = try commit(changing: change)
            return .now(reply(applied, extra))
        }
        let durable = eventLoop.makePromise(of: Void.self)
        do {
            let (applied, extra) = try commit(changing: change, durable: durable)
            return .whenDurable(reply(applied, extra), durable.futureResult)
        } catch {
            durable.fail(error)  // rejected before it reached the log: nothing will complete it
            throw error
        }
    }

    /// Sets how blobs released by a change are removed (the server's blob store).
    public func releaseBlobs(with release: @escaping BlobRelease) {
        guarded.withLock { $0.releaseBlobs = release }
    }

    /// Runs `body` against the state, which it may change without logging: for advisory
    /// fields only (a cookie's last-access time), which no replayed change depends on.
    public func access<T: Sendable>(_ body: (inout RipState, UnixMillis) throws -> T) throws -> T {
        let now = clock()
        return try guarded.withLock { try body(&$0.state, now) }
    }

    /// The state and the sequence number of the last change applied to it, read atomically
    /// (snapshots copy the value; copy-on-write makes that cheap).
    public func capture() -> (state: RipState, lastSequence: UInt64) {
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

    /// Reads the state with `start` and registers `watcher` for every later change, atomically:
    /// no change falls between the two. Returns the token `unwatch` takes and what `start` read.
    public func watch<T>(
        starting start: (borrowing RipState, UnixMillis) throws -> T, _ watcher: @escaping Watcher
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
