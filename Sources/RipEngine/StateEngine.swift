import RipCore
import RipProto

/// Where the daemon's state lives: it owns the state, serializes changes, makes them durable
/// and tells watchers about them. The server reads and changes state only through it, and
/// knows nothing of how it is kept: `EmbeddedEngine` keeps it in this process's memory,
/// journaled to the write-ahead log (RipStorage) or to nothing.
///
/// The API is synchronous and NIO-free: a change is made and published when `commit` returns;
/// its durability is reported later through the `Durability` it was given.
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

    /// Sets how the files of blobs that a change released (`Applied.releasedBlobs`) are
    /// removed: once the change is durable, before it counts as done.
    func releaseBlobs(with release: @escaping BlobRelease)
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
