import Foundation
import RipCore
import RipEngine
import RipProto
import RipWire
import Synchronization

/// The durable side of the daemon: holds the data-directory lock, recovers the state at
/// start, appends every change to the write-ahead log, and takes snapshots when the log has
/// grown past `snapshotAfterBytes` (or on demand), dropping the segments a snapshot covers.
public final class Storage: Sendable {
    public struct Configuration: Sendable {
        public var log: WriteAheadLog.Configuration
        public var snapshotAfterBytes = 64 * 1024 * 1024
        public var repair = false

        public init(directory: String) { log = .init(directory: directory) }
    }

    public let configuration: Configuration
    public let log: WriteAheadLog
    public let recovered: Recovery.Result
    private let lock: DataDirectoryLock
    /// The engine whose state it snapshots and reloads; weak, as the engine owns the log.
    private let source = Mutex(WeakSource())
    private let snapshotting = Atomic<Bool>(false)
    private let snapshotSequence: Atomic<UInt64>
    private let snapshotQueue = DispatchQueue(label: "ripd.snapshot")
    private let report: @Sendable (String) -> Void

    /// Locks the directory and recovers the state; `report` receives recovery's notable events,
    /// and later ones (a snapshot that failed).
    public init(configuration: Configuration, report: @escaping @Sendable (String) -> Void) throws {
        let directory = configuration.log.directory
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.checkOwnership(of: directory)
        self.configuration = configuration
        self.report = report
        lock = try DataDirectoryLock(directory: directory)
        recovered = try Recovery.run(directory: directory, repair: configuration.repair, report: report)
        snapshotSequence = Atomic(recovered.snapshotSequence)
        let threshold = configuration.snapshotAfterBytes
        let owner = Mutex(WeakStorage())  // set below; weak, so the log does not keep storage alive
        log = try WriteAheadLog(
            configuration: configuration.log, tail: recovered.tail,
            onGrowth: { grown in if grown >= threshold { owner.withLock { $0.storage }?.snapshotInBackground() } },
            onFailure: { error in owner.withLock { $0.storage }?.recover(after: error) })
        owner.withLock { $0.storage = self }
    }

    /// Refuses a data directory that another user owns or that others may write: they could
    /// plant files (a symlinked segment, a forged snapshot) that ripd would trust.
    static func checkOwnership(of directory: String) throws {
        var status = stat()
        guard stat(directory, &status) == 0 else { throw StorageError.posix("stat", directory) }
        guard status.st_uid == geteuid() else {
            throw StorageError(
                "data directory \(directory) belongs to uid \(status.st_uid), not to ripd's uid \(geteuid()); "
                    + "use a directory of your own (--data-dir), or `chown -R \(geteuid()) \(directory)`")
        }
        guard status.st_mode & 0o022 == 0 else {
            throw StorageError(
                "data directory \(directory) may be written by other users (mode \(String(status.st_mode & 0o777, radix: 8))); "
                    + "run `chmod go-w \(directory)` (ripd makes it 0700)")
        }
    }

    /// Tells storage whose state to snapshot and to replace after a failed write.
    public func attach(_ source: some SnapshotSource) {
        self.source.withLock { $0.source = source }
    }

    /// After a failed write the live state holds changes that are not on disk: rebuild it from
    /// disk (recovery, the ordinary code path) and number new records after the last durable one.
    private func recover(after error: RipError) {
        guard let source = source.withLock({ $0.source }) else { return }
        source.reload {
            let rebuilt = try Recovery.run(directory: configuration.log.directory, repair: false) { _ in }
            log.restart(at: rebuilt.tail.nextSequence, failing: error)
            return rebuilt.state
        }
    }

    /// Writes a snapshot now; returns its last sequence number and path.
    @discardableResult
    public func snapshot() async throws -> (lastSequence: UInt64, path: String) {
        guard let source = source.withLock({ $0.source }) else { throw StorageError("no state attached to snapshot") }
        let (state, lastSequence) = source.snapshot()
        return try await withCheckedThrowingContinuation { continuation in
            snapshotQueue.async { [self] in
                continuation.resume(with: Result { try write(state, lastSequence: lastSequence) })
            }
        }
    }

    private func snapshotInBackground() {
        guard snapshotting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        guard let source = source.withLock({ $0.source }) else {
            snapshotting.store(false, ordering: .releasing)
            return
        }
        let (state, lastSequence) = source.snapshot()  // a copy-on-write value: the lock is held only to copy it
        snapshotQueue.async { [self] in
            defer { snapshotting.store(false, ordering: .releasing) }
            do {
                _ = try write(state, lastSequence: lastSequence)
            } catch {
                report("snapshot up to \(lastSequence) failed, the log keeps growing until one succeeds: \(error)")
            }
        }
    }

    /// Writes the snapshot file, then removes older snapshots and every segment whose records
    /// the snapshot contains (all but the newest segment that still holds later records).
    private func write(_ state: RipState, lastSequence: UInt64) throws -> (lastSequence: UInt64, path: String) {
        let directory = configuration.log.directory
        log.resetGrowth()
        let path = try SnapshotFile.write(
            state, lastSequence: lastSequence, directory: directory, fileLayer: configuration.log.fileLayer)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names {
            if let sequence = WALFormat.sequence(inName: name, prefix: "snapshot-", suffix: ".pb"),
                sequence < lastSequence
            {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
        let segments = names.compactMap { WALFormat.sequence(inName: $0, prefix: "wal-", suffix: ".log") }.sorted()
        for (segment, next) in zip(segments, segments.dropFirst()) where next <= lastSequence + 1 {
            try? FileManager.default.removeItem(atPath: directory + "/" + WALFormat.segmentName(firstSequence: segment))
        }
        try configuration.log.fileLayer.syncDirectory(directory)
        snapshotSequence.store(lastSequence, ordering: .relaxed)
        return (lastSequence, path)
    }

    /// What `AdminService/WalInfo` reports.
    public struct Info: Sendable {
        public var segments: Int
        public var bytes: Int
        public var nextSequence: UInt64
        public var snapshotSequence: UInt64
        public var bytesSinceSnapshot: Int
        public var lastSyncUnixMs: Int64?
    }

    public func info() -> Info {
        let directory = configuration.log.directory
        let segments = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { WALFormat.sequence(inName: $0, prefix: "wal-", suffix: ".log") != nil }
        let bytes = segments.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
        }
        let (bytesSinceSnapshot, lastSync) = log.statistics
        return Info(
            segments: segments.count, bytes: bytes, nextSequence: log.nextSequence,
            snapshotSequence: snapshotSequence.load(ordering: .relaxed), bytesSinceSnapshot: bytesSinceSnapshot,
            lastSyncUnixMs: lastSync)
    }

    /// Stops: every queued record written and synced, the snapshot being written finished, the
    /// data directory unlocked.
    public func close() async throws {
        defer { lock.release() }
        try await log.close()
        await withCheckedContinuation { continuation in snapshotQueue.async { continuation.resume() } }
    }
}

/// What storage snapshots and, after a failed write, reloads: the state of an engine.
public protocol SnapshotSource: AnyObject, Sendable {
    /// The state and the sequence number of the last change in it, read atomically.
    func snapshot() -> (state: RipState, lastSequence: UInt64)
    /// Replaces the state with what `rebuild` returns, under the engine's lock.
    func reload(_ rebuild: () throws -> RipState)
}

extension EmbeddedEngine: SnapshotSource {}

private struct WeakStorage {
    weak var storage: Storage?
}

private struct WeakSource {
    weak var source: (any SnapshotSource)?
}
