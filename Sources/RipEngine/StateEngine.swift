import RipCore
import RipProto

/// Where the daemon's state lives: it owns the state, serializes changes, makes them durable
/// and tells watchers about them. The server reads and changes state only through it, and
/// knows nothing of how it is kept: `EmbeddedEngine` keeps it in this process's memory,
/// journaled to the write-ahead log (RipStorage) or to nothing.
///
/// The API is synchronous and NIO-free: a change is made and published when `commit` returns;
/// its durability is reported later through the `Durability` it was given. A store shared with
/// other daemons (RipPostgres) also takes turns: a call first waits for `turn(_:on:_:)`, which
/// brings the state up to date and, for a change, gives this daemon the cluster's write turn.
public protocol StateEngine: AnyObject, Sendable {
    /// The time every read and change sees.
    var clock: EngineClock { get }

    /// Whether changes are journaled: their durability is reported once their record is
    /// durable rather than at once.
    var isJournaled: Bool { get }

    /// Runs `body` against the current state and the current time.
    func read<T: Sendable>(_ body: (borrowing RipState, UnixMillis) throws -> T) throws -> T

    /// Runs `body` against the state, which it may change without journaling: for advisory
    /// fields only (a cookie's last-access time), which no replayed change depends on.
    func access<T: Sendable>(_ body: (inout RipState, UnixMillis) throws -> T) throws -> T

    /// Makes `change` under the writer lock at the current time, journals the mutation it
    /// returns (none: nothing to journal, durable at once) and publishes what it did to the
    /// watchers. `durability` learns when the change is durable, or that it could not be made
    /// so; what `change` throws is thrown before anything changed.
    func commit<Extra>(
        changing change: EngineChange<Extra>, durability: Durability?
    ) throws -> (applied: Applied, extra: Extra)

    /// Reads the state with `start` and registers `watcher` for every later change, atomically:
    /// no change falls between the two. Returns the token `unwatch` takes and what `start` read.
    func watch<T>(
        starting start: (borrowing RipState, UnixMillis) throws -> T, _ watcher: @escaping EngineWatcher
    ) throws -> (token: UInt64, start: T)

    func unwatch(_ token: UInt64)

    /// The state and the sequence number of the last change in it, read atomically: what a
    /// snapshot holds (copy-on-write makes the copy cheap).
    func snapshot() -> (state: RipState, lastSequence: UInt64)

    /// Whether this daemon runs the periodic duties that change state (lease expiry, scheduled
    /// ticks, retention, session expiry, webhook deliveries): always with the embedded engine;
    /// on a shared store, one daemon at a time.
    var holdsDuties: Bool { get }

    /// Whether calls must wait for `turn(_:on:_:)` before they read or change: true for a store
    /// shared with other daemons. The embedded engine is always up to date and the only writer.
    var takesTurns: Bool { get }

    /// Runs `body` on `runner` (nil: on the engine's own thread) once this daemon may do
    /// `kind`: a read once every change committed anywhere before the call is applied here, a
    /// change while this daemon holds the write turn, which lasts until `body` returns. `body`
    /// gets the store's error instead when it cannot be reached. Every engine but a shared one
    /// calls `body` at once, here.
    func turn(_ kind: TurnKind, on runner: (any TaskRunner)?, _ body: @escaping @Sendable (Result<Void, any Error>) -> Void)

    /// Sets how the files of blobs that a change released (`Applied.releasedBlobs`) are
    /// removed: once the change is durable, before it counts as done.
    func releaseBlobs(with release: @escaping BlobRelease)
}

/// What a call does with the state, as far as a shared store's turns are concerned.
public enum TurnKind: Sendable {
    /// Reads: needs what every daemon committed before it.
    case read
    /// May change: needs the write turn.
    case write
}

/// Removes the files of blobs no artifact holds any more, off the writer lock, and calls
/// `done` once they are gone.
public typealias BlobRelease = @Sendable (_ sha256s: [String], _ done: @escaping @Sendable () -> Void) -> Void

/// Milliseconds since the Unix epoch, as the engine reads them.
public typealias EngineClock = @Sendable () -> UnixMillis

/// A change made to the state under the writer lock at the given time: it returns the
/// mutation that records what it did (nil when it changed nothing), what applying it did, and
/// anything else its caller needs. It may only throw before changing anything.
public typealias EngineChange<Extra> = (inout RipState, UnixMillis) throws -> (RipMutation?, Applied, Extra)

/// Gets what every later change did, under the writer lock, in apply order; it must only
/// enqueue.
public typealias EngineWatcher = @Sendable (Applied) -> Void

extension StateEngine {
    public var takesTurns: Bool { false }
    public var holdsDuties: Bool { true }

    public func turn(_ kind: TurnKind, on runner: (any TaskRunner)?, _ body: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        body(.success(()))
    }

    /// Runs `body` in a turn of `kind` (at once unless the store takes turns) and returns what
    /// it returned: for the daemon's own duties (sweeps, webhook reports), which commit outside
    /// any call.
    public func inTurn<T: Sendable>(_ kind: TurnKind = .write, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard takesTurns else { return try body() }
        return try await withCheckedThrowingContinuation { continuation in
            turn(kind, on: nil) { ready in continuation.resume(with: ready.flatMap { Result { try body() } }) }
        }
    }

    /// `mutation` stamped with the time and applied: the change of every call but the cookie
    /// calls.
    @inlinable
    public static func applying(
        _ mutation: RipMutation, to state: inout RipState, at now: UnixMillis
    ) throws -> (RipMutation?, Applied, Void) {
        var mutation = mutation
        mutation.timeUnixMs = now
        return (mutation, try state.apply(mutation), ())
    }

    /// Commits `mutation`, stamped with the time and applied.
    @discardableResult
    public func commit(_ mutation: RipMutation, durability: Durability? = nil) throws -> Applied {
        try commit(changing: { try Self.applying(mutation, to: &$0, at: $1) }, durability: durability).applied
    }
}
