import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import RipBase
import RipCore
import RipEngine
import RipProto
import ServiceLifecycle
import Synchronization

/// The engine of a daemon that shares its state with others through PostgreSQL.
///
/// Every daemon on the database keeps the whole state in memory, as the embedded engine does,
/// and the database holds one ordered log of the changes all of them made (`SharedLog`): the
/// same `RipMutation` records, applied by the same `RipState.apply`, in the same order on
/// every daemon. A change is decided only while this daemon holds the write lock (a
/// session-level advisory lock) and has applied every record before it, so it is decided on
/// the state every other daemon will have when they apply it; a turn's changes are appended
/// in one statement and answered once it committed. A read first applies what the
/// others committed before the call arrived (one query; none while this daemon holds the
/// write lock, which it keeps until another daemon asks), so a daemon reads its own writes and
/// everyone else's. Records others append are applied as they are announced (LISTEN/NOTIFY)
/// and at least once a second, which wakes watchers and parked claims here.
///
/// One task (`run`, the driver) does every database round trip in turn, and is the only one
/// that changes `head`, the batch and (outside turns) the state: a write turn (lock, catch up,
/// let the waiting calls decide, append) or a catch-up for waiting reads.
public final class PostgresEngine: StateEngine, Service {
    private struct Waiter: Sendable {
        let runner: (any TaskRunner)?
        let body: @Sendable (Result<Void, any Error>) -> Void
    }

    private struct Queue: Sendable {
        var writers: [Waiter] = []
        var readers: [Waiter] = []
        /// Records were announced: catch up even with no call waiting.
        var follow = false
        /// This daemon holds the write lock (since `lockedSince`) and has applied every record:
        /// reads run at once, and a write turn needs no lock and no catch-up.
        var locked = false
        var lockedSince = ContinuousClock.now
        /// Another daemon asked for the write lock since this one took it.
        var lockWanted = false
        /// The last record this daemon appended (or sent to be appended).
        var sent: UInt64 = 0
        /// When `drain` last asked the server whether another daemon waits for the lock.
        var waitersChecked = ContinuousClock.now

        /// Whether this daemon may go on taking turns without releasing the write lock: for
        /// `lockStreak` in any case, and up to `lockStreakAlone` while no other daemon asked.
        func keepsLock() -> Bool {
            let held = ContinuousClock.now - lockedSince
            return held < PostgresEngine.lockStreak || (!lockWanted && held < PostgresEngine.lockStreakAlone)
        }

        /// Whether this daemon may keep the write lock with no call waiting for a turn: while
        /// no other daemon asked for it (reads then need no catch-up). An ask it missed is
        /// found within a second (`drain` looks for waiters on the server).
        func keepsIdleLock() -> Bool { !lockWanted }
        /// Bodies of the turn that have not returned yet, and who waits for the last.
        var running = 0
        var turnDone: CheckedContinuation<Void, Never>?
        /// A batch is open behind the append in flight: a change that arrives is decided into
        /// it at once, on its caller's loop, without waiting for the driver.
        var deciding = false
        /// The last record of the shared log applied here.
        var head: UInt64 = 0
        var stopped = false
        /// The driver waits, while an append is in flight, for a writer to arrive or the append
        /// to end (`appendEnded`), whichever comes first.
        var inFlight: CheckedContinuation<Void, Never>?
        var appendEnded = false
        /// The connection that holds the write lock (`locked`), by its id.
        var lockedConnection: Int?
        /// A turn that had decided failed: the state must be rebuilt from the store first.
        var mustReload = false
        /// Whether the newest snapshot's sequence was read since this daemon took the duties.
        var snapshotKnown = false
        /// When the duty holder last sent every content's holder count (nil: not since it took
        /// the duties).
        var reconciled: ContinuousClock.Instant?
        /// The store failed the last round trip: logged once, and once more when it answers again.
        var unreachable = false
        var health = RipSharedStoreHealth.with {
            $0.schemaVersion = UInt32(Schema.version)
            $0.reachable = true
        }
    }

    private let inner: EmbeddedEngine
    private let batch: LogBatch
    /// The driver's connection: turns, catch-ups and snapshots, one at a time.
    private let connection: StoreConnection
    /// Where the listener and the duties open connections of their own.
    private let storeLocation: PostgresLocation
    /// `storeLocation` in words, for messages.
    private let location: String
    private let logger: Logger
    private let queue = Mutex(Queue())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let readiedHook = Mutex<(@Sendable () -> Void)?>(nil)
    /// How long a write turn or a catch-up may take before its calls get UNAVAILABLE.
    private let timeout: Duration
    /// Names this daemon in its asks for the write lock, so it ignores its own.
    private let instance = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    /// Records between the snapshots the duty holder saves.
    private let snapshotRecords: UInt64

    public var clock: EngineClock { inner.clock }
    public var isJournaled: Bool { true }
    public var takesTurns: Bool { true }
    public var holdsDuties: Bool { duties.load(ordering: .acquiring) }
    private let duties = Atomic<Bool>(false)

    /// Migrates the database (`Schema`) and builds the state from the whole shared log.
    public init(
        location: PostgresLocation, timeout: Duration = .seconds(10), snapshotRecords: UInt64 = 100_000, logger: Logger,
        clock: @escaping EngineClock = EmbeddedEngine.wallClock
    ) async throws {
        self.timeout = timeout
        self.snapshotRecords = max(snapshotRecords, 1)
        connection = StoreConnection(location, logger: logger)
        storeLocation = location
        self.location = location.description
        self.logger = logger
        batch = LogBatch()
        inner = EmbeddedEngine(journal: batch, clock: clock)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        do {
            let connection = try await connection.get()
            try await Schema.migrate(on: connection, logger: logger)
            try await restore(lacking: 0)
            try await catchUp()
        } catch {
            await connection.close()
            throw PostgresStoreError("PostgreSQL store \(location): \(PostgresStoreError.describe(error))")
        }
    }

    /// The last record of the shared log applied here.
    public var head: UInt64 { queue.withLock { $0.head } }

    /// Closes the connection of an engine that was opened but never run (`run` closes it when
    /// it ends).
    public func close() async { await connection.close() }

    /// How this daemon stands with the store (`Info`).
    public func health() -> RipSharedStoreHealth {
        var health = queue.withLock { queue in
            var health = queue.health
            health.logHead = queue.head
            return health
        }
        health.holdsDuties = holdsDuties
        return health
    }

    /// Called (on the engine's task) when records another daemon appended readied jobs: parked
    /// claims here may take them.
    public func onReadiedJobs(_ hook: @escaping @Sendable () -> Void) {
        readiedHook.withLock { $0 = hook }
    }

    // MARK: Turns

    public func turn(_ kind: TurnKind, on runner: (any TaskRunner)?, _ body: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        let waiter = Waiter(runner: runner, body: body)
        let (now, waiting) = queue.withLock { queue -> (Result<Void, any Error>?, CheckedContinuation<Void, Never>?) in
            if queue.stopped { return (.failure(RipError.unavailable("ripd is stopping")), nil) }
            if kind == .read && queue.locked && connection.isOpen(queue.lockedConnection) { return (.success(()), nil) }
            if kind == .write && queue.deciding && queue.keepsLock() {
                queue.running += 1
                return (.success(()), nil)
            }
            if kind == .read { queue.readers.append(waiter) } else { queue.writers.append(waiter) }
            guard kind == .write else { return (nil, nil) }
            defer { queue.inFlight = nil }
            return (nil, queue.inFlight)
        }
        if let now {
            run(waiter, now) { if kind == .write, case .success = now { self.left() } }
        } else {
            wake.yield()
        }
        waiting?.resume()
    }

    private func run(_ waiter: Waiter, _ result: Result<Void, any Error>, then: (@Sendable () -> Void)? = nil) {
        guard let runner = waiter.runner else {
            waiter.body(result)
            then?()
            return
        }
        runner.execute {
            waiter.body(result)
            then?()
        }
    }

    /// Serves turns until the daemon stops; then waiting calls get UNAVAILABLE.
    public func run() async throws {
        // Not awaited when stopping: a query on a connection the server dropped may never end.
        let background = [Task { await listen() }, Task { await tick() }, Task { await holdDuties() }]
        for await _ in wakes.cancelOnGracefulShutdown() { await drain() }
        for task in background { task.cancel() }
        await connection.close()
        let (writers, readers) = queue.withLock { queue in
            queue.stopped = true
            defer { (queue.writers, queue.readers) = ([], []) }
            return (queue.writers, queue.readers)
        }
        for waiter in writers + readers { run(waiter, .failure(RipError.unavailable("ripd is stopping"))) }
    }

    /// One round: a write turn for the waiting changes, or a catch-up for the waiting reads.
    /// More work wakes the loop again, which notices a shutdown between rounds.
    private func drain() async {
        let (writers, readers, follow) = queue.withLock { queue in
            defer { (queue.writers, queue.readers, queue.follow) = ([], [], false) }
            return (queue.writers, queue.readers, queue.follow)
        }
        if writers.isEmpty && readers.isEmpty && !follow { return }
        let (holding, keeps) = queue.withLock { queue in
            // The lock went with its connection, if that closed.
            if queue.locked && !connection.isOpen(queue.lockedConnection) { queue.locked = false }
            return (queue.locked, queue.keepsIdleLock())
        }
        if writers.isEmpty && holding {
            // Holding the write lock, this daemon has every record: nobody else could append.
            for reader in readers { run(reader, .success(())) }
            var release = !keeps
            if !release { release = await othersWaitUnheard() }
            if release { await unlock() }
        } else if writers.isEmpty {
            await catchUp(releasing: readers)
        } else {
            await writeTurn(writers, readers: readers)
        }
        // Between turns, with or without the write lock: the state is the records up to `head`.
        await snapshotIfDue()
        let more = queue.withLock { !$0.writers.isEmpty || !$0.readers.isEmpty || $0.follow }
        if more { wake.yield() }
    }

    /// Whether, though no ask was heard, another daemon waits on the server for the write
    /// lock this one keeps between turns (its announcement was missed while the listener
    /// reconnected); asked the server at most once a second.
    private func othersWaitUnheard() async -> Bool {
        let due = queue.withLock { queue in
            guard ContinuousClock.now - queue.waitersChecked >= .seconds(1) else { return false }
            queue.waitersChecked = .now
            return true
        }
        guard due else { return false }
        do {
            return try await roundTrip("looking for daemons waiting for the write lock") {
                try await SharedLog.othersWaitForLock(on: $0, logger: $1)
            }
        } catch {
            // The connection, and the lock with it, is dropped.
            queue.withLock { $0.locked = false }
            await failed(storeError(error))
            return false
        }
    }

    private func catchUp(releasing readers: [Waiter]) async {
        let result: Result<Void, any Error>
        do {
            try await catchUp()
            result = .success(())
            queue.withLock { $0.health.catchUps += 1 }
            reached()
        } catch {
            let failure = storeError(error)
            await failed(failure)
            result = .failure(failure)
        }
        for reader in readers { run(reader, result) }
    }

    /// One round trip on the store's connection, bounded by `timeout` (`limit`). Only the
    /// round trip runs under the bound: what it returns is applied here, by the driver, so a
    /// round trip given up on changes nothing.
    private func roundTrip<T: Sendable>(
        _ what: String, limit: Duration? = nil, on held: PostgresConnection? = nil,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let connection: PostgresConnection
        if let held { connection = held } else { connection = try await self.connection.get() }
        let logger = logger
        return try await StoreDeadline.run(limit ?? timeout, what) { try await body(connection, logger) }
    }

    /// Applies every record after `head`, page by page (after a full reload if a failed turn
    /// left the state unknown).
    private func catchUp() async throws {
        if queue.withLock({ $0.mustReload }) { try await restore(lacking: nil) }
        var readied = false
        while true {
            let head = self.head
            let records = try await roundTrip("catching up with the shared store") {
                try await SharedLog.records(after: head, on: $0, logger: $1)
            }
            guard let first = records.first, let last = records.last else { break }
            if first.sequence > head + 1 {
                // The records this daemon lacks were cut after a snapshot: start from it.
                try await restore(lacking: head + 1)
                continue
            }
            readied = inner.replay(records.lazy.map(\.mutation)) { [logger] mutation, error in
                logger.warning("skipped a record of the shared log that does not apply", metadata: ["error": "\(error)"])
            } || readied
            queue.withLock { $0.head = last.sequence }
            batch.follow(last.sequence)
            if records.count < SharedLog.page { break }
        }
        if readied, let hook = readiedHook.withLock({ $0 }) { hook() }
    }

    /// Replaces the state with the newest snapshot. `lacking`: a record this daemon has not
    /// applied and the log no longer holds, which the snapshot must cover (watchers miss what
    /// happened between); 0 when starting (any snapshot, if there is one); nil to rebuild after
    /// a failed turn (the snapshot, or nothing, then the log).
    private func restore(lacking: UInt64?) async throws {
        let newest = try await roundTrip("reading the shared store's snapshot", limit: timeout * 6) {
            try await SharedLog.latestSnapshot(on: $0, logger: $1)
        }
        let (sequence, state): (UInt64, RipState)
        switch (newest, lacking) {
        case (nil, 0?): return
        case (nil, nil): (sequence, state) = (0, RipState())
        case (let snapshot?, let lacking) where snapshot.sequence >= lacking ?? 0:
            // Decoded on the thread pool, outside the round trip's bound: a big state takes a
            // while, and the event loops (which run this task too) serve calls meanwhile.
            sequence = snapshot.sequence
            state = try await NIOThreadPool.singleton.runIfActive { try SharedLog.state(of: snapshot.sequence, snapshot.bytes) }
        default:
            throw PostgresStoreError("record \(lacking ?? 0) of ripd_log is gone and no snapshot covers it")
        }
        inner.reload { state }
        queue.withLock { queue in
            queue.head = sequence
            queue.mustReload = false
            queue.health.snapshotSequence = max(queue.health.snapshotSequence, sequence)
        }
        batch.follow(sequence)
        if sequence > 0 { logger.info("started from the shared store's snapshot", metadata: ["sequence": "\(sequence)"]) }
    }

    /// Between turns (no batch open: the state is exactly the records up to `head`), the
    /// holder of the duties saves a snapshot once `snapshotRecords` records followed the newest.
    private func snapshotIfDue() async {
        // Not from a state a failed turn left behind: it may hold changes that never landed.
        guard holdsDuties, !queue.withLock({ $0.mustReload }) else { return }
        do {
            if !queue.withLock({ $0.snapshotKnown }) {
                // Newly holding the duties: the newest snapshot may be another daemon's.
                let newest = try await roundTrip("reading the newest snapshot's sequence") {
                    try await SharedLog.latestSnapshotSequence(on: $0, logger: $1)
                }
                queue.withLock { queue in
                    queue.snapshotKnown = true
                    queue.health.snapshotSequence = max(queue.health.snapshotSequence, newest)
                }
            }
            let (head, last) = queue.withLock { ($0.head, $0.health.snapshotSequence) }
            // No sum that could overflow: `last` may even be ahead of a lagging `head`.
            guard head > last, head - last >= snapshotRecords else { return }
            let state = inner.snapshot().state
            // Built and encoded on the thread pool: for a big state that takes a while, and the
            // event loops (which run this task too) serve calls meanwhile.
            let snapshot = try await NIOThreadPool.singleton.runIfActive {
                ByteBuffer(bytes: try state.snapshot(lastSequence: head).serializedBytes() as [UInt8])
            }
            try await roundTrip("saving a snapshot of the shared store", limit: timeout * 6) {
                try await SharedLog.saveSnapshot(snapshot, after: head, on: $0, logger: $1)
            }
            queue.withLock { $0.health.snapshotSequence = head }
            logger.info("saved a snapshot of the shared store", metadata: ["sequence": "\(head)"])
        } catch {
            await failed(storeError(error))
        }
    }

    /// One write turn: take the write lock unless this daemon still holds it on this
    /// connection (then catch up), let `writers` decide (and `readers` read), and append what
    /// they changed in one statement (its own transaction), which makes them durable. The
    /// append only lands right after the log's last record, so a turn that lost the lock
    /// cannot fork the log. The lock is kept after the turn while no other daemon asked for it
    /// (another asks by announcing it, `SharedLog.tryLockForWriting`), and turns go on under it
    /// up to `lockStreakAlone`; once one asked, only while calls wait for a turn, up to
    /// `lockStreak`.
    ///
    /// Turns are pipelined: while a batch's append is in flight, the calls that arrive decide
    /// the next batch on the state that includes it (as the embedded store decides on changes
    /// not yet durable), each at once on its own loop (`turn`), not through this driver, so a
    /// claim is answered without waiting for the commit before it; the next
    /// batch is appended only once this one committed, right after it. If anything fails, the
    /// turn's calls get UNAVAILABLE (with those of the batch decided after it), the connection
    /// (and the lock) is dropped, and a turn that had decided leaves the state to be rebuilt
    /// from the store before anything else is served. The lock is taken, and every append
    /// made, on one connection: should it close, they fail rather than go out on another
    /// connection that does not hold the lock.
    private func writeTurn(_ writers: [Waiter], readers: [Waiter]) async {
        var started = ContinuousClock.now
        var current: Decided
        let holder: PostgresConnection
        do {
            holder = try await connection.get()
            if !queue.withLock({ $0.locked && $0.lockedConnection == holder.id }) {
                // Asks heard from here on are for the lock this daemon is about to hold.
                queue.withLock { queue in
                    queue.locked = false
                    queue.lockWanted = false
                }
                let instance = instance
                let taken = try await roundTrip("taking the shared store's write lock", on: holder) {
                    try await SharedLog.tryLockForWriting(announcing: instance, on: $0, logger: $1)
                }
                if !taken {
                    try await roundTrip("waiting for the shared store's write lock", on: holder) {
                        try await SharedLog.lockForWriting(on: $0, logger: $1)
                    }
                }
                // Daemons that asked before this one listened for it are waiting on the server.
                let othersWait = try await roundTrip("looking for daemons waiting for the write lock", on: holder) {
                    try await SharedLog.othersWaitForLock(on: $0, logger: $1)
                }
                try await catchUp()
                // Only now is the state current: reads may run at once from here.
                queue.withLock { queue in
                    queue.locked = true
                    queue.lockedConnection = holder.id
                    queue.lockedSince = .now
                    if othersWait { queue.lockWanted = true }
                }
            }
            current = await decide(writers, readers: readers, after: head)
        } catch {
            let failure = storeError(error)
            queue.withLock { $0.locked = false }
            await failed(failure)
            // Nothing was decided: the calls fail before they ran.
            for waiter in writers + readers { run(waiter, .failure(failure)) }
            return
        }
        while true {
            let (records, holders, reconciles) = (current.entries.map(\.record), current.holders, current.reconciles)
            queue.withLock { queue in
                queue.appendEnded = false
                queue.sent = max(queue.sent, current.entries.last?.record.sequence ?? 0)
            }
            let append = Task {
                defer {
                    let waiting = queue.withLock { queue in
                        queue.appendEnded = true
                        defer { queue.inFlight = nil }
                        return queue.inFlight
                    }
                    waiting?.resume()
                }
                try await roundTrip("appending to the shared log", on: holder) {
                    try await SharedLog.append(records, holders: holders, reconciling: reconciles, on: $0, logger: $1)
                }
            }
            // Meanwhile the calls that want a turn decide the next batch, after this one, as
            // they arrive, each on its own loop (`turn`): a claim is answered at once, and the
            // completion its worker sends next can still join the same batch.
            let after = current.entries.last?.record.sequence ?? current.head
            openBatch(after: after)
            queue.withLock { $0.deciding = true }
            while let (writers, readers) = await waitForWriters() { dispatch(writers, readers: readers) }
            queue.withLock { $0.deciding = false }
            await bodiesReturned()
            let closed = closeBatch(after: after)
            let next = closed.entries.isEmpty ? nil : closed
            do {
                try await append.value
            } catch {
                let failure = storeError(error)
                queue.withLock { queue in
                    queue.locked = false
                    queue.mustReload = true
                }
                await failed(failure)
                // What was decided is not in the log, or not known to be: the next round
                // rebuilds the state from the store (and applies the append if it did land).
                for entry in current.entries + (next?.entries ?? []) { entry.durability?.fail(failure) }
                return
            }
            let took = (ContinuousClock.now - started).components
            queue.withLock { queue in
                if let last = current.entries.last { queue.head = last.record.sequence }
                if current.reconciles { queue.reconciled = .now }
                queue.health.writeTurns += 1
                queue.health.changesWritten += UInt64(current.entries.count)
                queue.health.lastTurnUs = UInt64(took.seconds) * 1_000_000 + UInt64(took.attoseconds / 1_000_000_000_000)
            }
            reached()
            for entry in current.entries { entry.durability?.succeed() }
            guard let next else { break }
            (current, started) = (next, .now)
        }
        let keep = queue.withLock { $0.writers.isEmpty ? $0.keepsIdleLock() : $0.keepsLock() }
        if !keep { await unlock() }
    }

    /// While an append is in flight: the calls waiting for a turn once a writer is among them,
    /// or nil once the append ended (or the lock was kept for `lockStreak` already).
    private func waitForWriters() async -> ([Waiter], [Waiter])? {
        while true {
            let taken = queue.withLock { queue -> ([Waiter], [Waiter])?? in
                // Once the append ended its calls are answered first; who waits goes next turn.
                if queue.appendEnded { return .some(nil) }
                if !queue.writers.isEmpty && queue.keepsLock() {
                    defer { (queue.writers, queue.readers) = ([], []) }
                    return (queue.writers, queue.readers)
                }
                return queue.writers.isEmpty ? nil : .some(nil)
            }
            if let taken { return taken }
            await withCheckedContinuation { (woken: CheckedContinuation<Void, Never>) in
                let now = queue.withLock { queue in
                    if queue.appendEnded || !queue.writers.isEmpty { return true }
                    queue.inFlight = woken
                    return false
                }
                if now { woken.resume() }
            }
        }
    }

    /// A batch a write turn decided: its changes, numbered after `head`, and how many artifacts
    /// hold each content they made or released.
    private struct Decided {
        let head: UInt64
        let entries: [LogBatch.Entry]
        let holders: [(sha256: String, count: Int64)]
        /// `holders` is every content held: the rest are held by none.
        let reconciles: Bool
    }

    /// How long one daemon keeps the write lock while its calls keep waiting for turns.
    static let lockStreak = Duration.milliseconds(20)
    /// How long it takes turns without releasing the write lock while no other daemon asked
    /// for it (an announcement can be missed while the listener reconnects: a daemon waits
    /// for a busy one this long at most).
    static let lockStreakAlone = Duration.seconds(1)

    /// Releases the write lock; if that fails, drops the connection (which releases it too).
    private func unlock() async {
        queue.withLock { $0.locked = false }
        do {
            try await roundTrip("releasing the shared store's write lock") { try await SharedLog.unlock(on: $0, logger: $1) }
        } catch {
            await connection.close()
        }
    }

    /// The deciding part of a write turn, with the lock held and every record up to `head`
    /// applied (committed, or in the batch whose append is in flight): the waiting calls run
    /// (writers change, readers read).
    private func decide(_ writers: [Waiter], readers: [Waiter], after head: UInt64) async -> Decided {
        openBatch(after: head)
        await decideMore(writers, readers: readers)
        return closeBatch(after: head)
    }

    /// Opens the batch of a turn; opened and closed under the engine's lock, as `commit` checks it.
    private func openBatch(after head: UInt64) {
        _ = try? inner.access { _, _ in batch.open(after: head) }
    }

    /// Runs waiting calls into the open batch; returns once every writer's body returned.
    private func decideMore(_ writers: [Waiter], readers: [Waiter]) async {
        dispatch(writers, readers: readers)
        await bodiesReturned()
    }

    /// Runs waiting calls into the open batch, each on its own loop.
    private func dispatch(_ writers: [Waiter], readers: [Waiter]) {
        queue.withLock { $0.running += writers.count }
        for reader in readers { run(reader, .success(())) }
        for writer in writers { run(writer, .success(())) { self.left() } }
    }

    /// Returns once every writer's body that was started returned (none is started meanwhile:
    /// the caller stopped `deciding`).
    private func bodiesReturned() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let now = queue.withLock { queue in
                if queue.running == 0 { return true }
                queue.turnDone = done
                return false
            }
            if now { done.resume() }
        }
    }

    /// Closes the batch. The holder of the duties, when it took them and every
    /// `reconcileEvery` after, sends every content's holder count instead of those the batch
    /// changed (`SharedLog.append` zeroes the rest), so `holders` cannot drift for good (a
    /// daemon of schema 2 releases contents without setting it).
    private func closeBatch(after head: UInt64) -> Decided {
        let reconcile = holdsDuties && queue.withLock { queue in
            guard let last = queue.reconciled else { return true }
            return ContinuousClock.now - last >= Self.reconcileEvery
        }
        let closed = try? inner.access { state, _ in
            let (entries, changed) = batch.close()
            let contents = reconcile && !entries.isEmpty ? state.artifacts.heldContents : changed
            return (entries, contents.sorted().map { (sha256: $0, count: Int64(state.artifacts.holderCount($0))) })
        }
        let entries = closed?.0 ?? []
        return Decided(head: head, entries: entries, holders: closed?.1 ?? [], reconciles: reconcile && !entries.isEmpty)
    }

    /// How often the duty holder sends every content's holder count.
    static let reconcileEvery = Duration.seconds(600)

    /// A round trip failed: the connection is dropped (with it any lock, and any query left
    /// running), and the first failure of an outage is logged (calls get the error meanwhile).
    private func failed(_ failure: RipError) async {
        await connection.close()
        let first = queue.withLock { queue in
            defer {
                queue.unreachable = true
                queue.health.reachable = false
                queue.health.lastError = failure.message
            }
            return !queue.unreachable
        }
        if first {
            logger.error("the shared store failed; calls get UNAVAILABLE until it answers", metadata: ["error": "\(failure.message)"])
        }
    }

    /// A round trip succeeded: the end of an outage is logged.
    private func reached() {
        let back = queue.withLock { queue in
            defer {
                queue.unreachable = false
                queue.health.reachable = true
                queue.health.lastError = ""
            }
            return queue.unreachable
        }
        if back {
            logger.notice("the shared store answers again", metadata: ["store": "\(location)"])
        }
    }

    private func left() {
        let done = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
            queue.running -= 1
            guard queue.running == 0 else { return nil }
            defer { queue.turnDone = nil }
            return queue.turnDone
        }
        done?.resume()
    }

    /// Asks for a catch-up with no call waiting.
    private func follow() {
        queue.withLock { $0.follow = true }
        wake.yield()
    }

    /// Catches up whenever another daemon announces a commit; reconnects with backoff.
    private func listen() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await StoreConnection.with(storeLocation, logger: logger) { connection in
                    // The notifications end only when the connection does: stopping closes it.
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: SharedLog.channel) { notifications in
                            follow()  // what was committed while nobody listened
                            delay = .milliseconds(100)
                            for try await notification in notifications {
                                if notification.payload.hasPrefix(SharedLog.lockWanted) {
                                    guard notification.payload != SharedLog.lockWanted + instance else { continue }
                                    // Released after the turn under way, or now if there is none.
                                    let holding = queue.withLock { queue in
                                        queue.lockWanted = true
                                        return queue.locked
                                    }
                                    if holding { follow() }
                                    continue
                                }
                                if let last = UInt64(notification.payload) {
                                    // Checked with `head` under the lock the driver sets it and
                                    // `locked` under: a record past both what was applied and
                                    // what this daemon sent is another daemon's, so this one does
                                    // not hold the write lock, whatever it believed.
                                    let applied = queue.withLock { queue in
                                        guard last > queue.head else { return true }
                                        if last > queue.sent { queue.locked = false }
                                        return false
                                    }
                                    if applied { continue }
                                }
                                follow()
                            }
                        }
                    } onCancel: {
                        _ = connection.close() as EventLoopFuture<Void>
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening to the shared store failed; retrying", metadata: ["error": "\(PostgresStoreError.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Takes the duties when no other daemon holds them: a session-level advisory lock on a
    /// connection of its own, tried every second. The lock goes with the connection, so when its
    /// holder dies (its connection closes) another daemon takes over within a second or two. A
    /// holder checks its connection every second and stops at once when it broke.
    private func holdDuties() async {
        while !Task.isCancelled {
            do {
                try await StoreConnection.with(storeLocation, logger: logger) { connection in
                    while !Task.isCancelled {
                        // A query on a connection the server dropped may never end: check, and bound it.
                        try SharedLog.ensureOpen(connection)
                        let (holding, logger) = (holdsDuties, logger)
                        let holds = try await StoreDeadline.run(timeout / 2, "checking the duties lock") {
                            if holding {
                                try await connection.query("SELECT 1", logger: logger)
                                return true
                            }
                            return try await SharedLog.tryDuties(on: connection, logger: logger)
                        }
                        if !holding && holds {
                            queue.withLock { queue in
                                queue.snapshotKnown = false
                                queue.reconciled = nil
                            }
                            duties.store(true, ordering: .releasing)
                            logger.notice("this daemon runs the shared store's duties (sweeps, schedules, webhooks)")
                        }
                        try await Task.sleep(for: .seconds(1))
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.debug("the duties connection failed", metadata: ["error": "\(PostgresStoreError.describe(error))"])
                }
            }
            if duties.exchange(false, ordering: .acquiringAndReleasing) { logger.warning("gave up the shared store's duties: its connection broke") }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Catches up once a second in any case: a notification lost while reconnecting is late by
    /// a second at most.
    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            follow()
        }
    }

    private func storeError(_ error: any Error) -> RipError {
        if let error = error as? RipError { return error }
        return .unavailable("PostgreSQL store \(location): \(PostgresStoreError.describe(error))")
    }

    // MARK: The state, through the embedded engine

    public func read<T: Sendable>(_ body: (borrowing RipState, UnixMillis) throws -> T) throws -> T {
        try inner.read(body)
    }

    public func access<T: Sendable>(_ body: (inout RipState, UnixMillis) throws -> T) throws -> T {
        try inner.access(body)
    }

    public func commit<Extra>(
        changing change: EngineChange<Extra>, durability: Durability?
    ) throws -> (applied: Applied, extra: Extra) {
        let result = try inner.commit(
            changing: { state, now in
                guard batch.isOpen else {
                    throw RipError.unavailable("the shared store's write turn ended before this change was decided; retry")
                }
                return try change(&state, now)
            }, durability: durability)
        if !result.applied.releasedBlobs.isEmpty { batch.release(result.applied.releasedBlobs) }
        return result
    }

    public func watch<T>(
        starting start: (borrowing RipState, UnixMillis) throws -> T, _ watcher: @escaping EngineWatcher
    ) throws -> (token: UInt64, start: T) {
        try inner.watch(starting: start, watcher)
    }

    public func unwatch(_ token: UInt64) { inner.unwatch(token) }

    public func snapshot() -> (state: RipState, lastSequence: UInt64) { inner.snapshot() }

    public func releaseBlobs(with release: @escaping BlobRelease) { inner.releaseBlobs(with: release) }
}
