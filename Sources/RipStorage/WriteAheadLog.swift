import Foundation
import RipEngine
import RipProto
import RipWire
import Synchronization

/// Appends mutation records to segment files with group commit.
///
/// `append` only numbers and queues a mutation (cheap, called under the engine's lock so the
/// log's order is the apply order) and schedules a drain on the caller's runner (its event
/// loop). NIO runs that task after the loop has handled every connection that was readable in
/// this tick, so one drain encodes and frames everything queued by then, writes it in a single
/// write(2) and, under `always`, a single fdatasync(2), then completes the durabilities, whose
/// replies go out on the same thread without a hand-off (Redis writes its AOF the same way,
/// before its loop sleeps). Drains from the other event loops are serialized by the `disk`
/// lock; under load, batches grow and one fdatasync serves every change in them. Appends
/// without a runner drain on `io`, the log's own thread, and so does a batch that must first
/// create a segment (two fsyncs) or that failed (recovery rereads the log): neither holds up
/// an event loop.
public final class WriteAheadLog: Journal {
    public struct Configuration: Sendable {
        public var directory: String
        public var policy: FsyncPolicy = .always
        public var segmentBytes = 64 * 1024 * 1024
        public var fileLayer: any FileLayer = PosixFileLayer()
        /// Called when the log cannot tell what is durable any more (an fdatasync failed and the
        /// failed batch could not be cut off durably, or the `everysec` fdatasync failed): the
        /// daemon must stop acknowledging writes. The default reports on stderr and exits 74
        /// (EX_IOERR), so the next start recovers from what the disk holds, as PostgreSQL does.
        public var onFatal: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("ripd: fatal: \(message); exiting so the next start recovers from disk\n".utf8))
            exit(74)
        }

        public init(directory: String) { self.directory = directory }
    }

    /// Where appends continue after recovery.
    public struct Tail: Sendable {
        public var nextSequence: UInt64
        /// The last segment and its size, if it can be appended to.
        public var segment: (path: String, firstSequence: UInt64, bytes: Int)?
        /// Bytes of the records after the newest snapshot, so that the snapshot threshold
        /// counts growth across restarts too.
        public var bytesSinceSnapshot = 0
    }

    private struct Queue {
        /// Mutations waiting for the drain, in sequence order; the drain encodes and frames
        /// them into records (header, sequence, CRC), so appending under the engine's lock
        /// only numbers them.
        var mutations: [RipMutation] = []
        var durabilities: [Durability?] = []
        var nextSequence: UInt64
        var draining = false
    }

    /// The open segment; only the draining thread and the periodic sync touch it.
    private struct Disk {
        var file: (any AppendFile)?
        var firstSequence: UInt64
        var bytes: Int
        var unsynced = false
        /// Wall-clock time of the last fdatasync, milliseconds since the Unix epoch.
        var lastSyncUnixMs: Int64?
        var bytesSinceSnapshot = 0
    }

    public let configuration: Configuration
    private let queue: Mutex<Queue>
    private let disk: Mutex<Disk>
    /// The log's own thread: drains without a runner, new segments, failures, syncs.
    private let io = DispatchQueue(label: "ripd.wal")
    /// Called after each written batch with the bytes since the last snapshot.
    private let onGrowth: @Sendable (Int) -> Void
    /// Called on `io` after a batch could not be written, before its durabilities fail.
    private let onFailure: @Sendable (RipError) -> Void

    public init(
        configuration: Configuration, tail: Tail,
        onGrowth: @escaping @Sendable (Int) -> Void = { _ in },
        onFailure: @escaping @Sendable (RipError) -> Void = { _ in }
    ) throws {
        self.configuration = configuration
        self.onGrowth = onGrowth
        self.onFailure = onFailure
        queue = Mutex(Queue(nextSequence: tail.nextSequence))
        var disk = Disk(file: nil, firstSequence: tail.nextSequence, bytes: 0, bytesSinceSnapshot: tail.bytesSinceSnapshot)
        if let segment = tail.segment, segment.bytes < configuration.segmentBytes {
            disk.file = try configuration.fileLayer.openForAppend(segment.path)
            disk.firstSequence = segment.firstSequence
            disk.bytes = segment.bytes
        }
        self.disk = Mutex(disk)
    }

    /// Queues `mutation` as the next record and returns its sequence number; `durability` is
    /// completed once the record is durable under the policy, or failed if it cannot be written.
    @discardableResult
    public func append(_ mutation: RipMutation, durability: Durability?) -> UInt64 {
        let (sequence, startDrain) = queue.withLock { queue in
            let sequence = queue.nextSequence
            queue.nextSequence += 1
            queue.mutations.append(mutation)
            queue.durabilities.append(durability)
            defer { queue.draining = true }
            return (sequence, !queue.draining)
        }
        if startDrain {
            if let runner = durability?.runner {
                runner.execute { [self] in drainBatch(on: runner) }
            } else {
                drainOnIO()
            }
        }
        return sequence
    }

    private func drainOnIO() {
        io.async { [self] in while drainBatch() {} }
    }

    /// The sequence number the next record will get.
    public var nextSequence: UInt64 { queue.withLock { $0.nextSequence } }

    /// After a failed write: fails every record still queued (they follow the failed ones, so
    /// writing them would leave a gap) and continues numbering at `nextSequence`, the first
    /// sequence not durably on disk. Called under the engine's lock while it reloads.
    public func restart(at nextSequence: UInt64, failing error: RipError) {
        let durabilities = queue.withLock { queue in
            defer {
                queue.mutations.removeAll()
                queue.durabilities.removeAll()
                queue.nextSequence = nextSequence
            }
            return queue.durabilities
        }
        for durability in durabilities { durability?.fail(error) }
    }

    /// Writes everything queued as one batch. On a runner (an event loop), a queue that
    /// refilled meanwhile is drained by a task scheduled after the loop's next round of I/O, so
    /// a loop never starves its own connections while other loops keep appending; a batch
    /// that needs a new segment first is left to `io`. Returns whether records remain (for
    /// `io`, which simply loops).
    @discardableResult
    private func drainBatch(on runner: (any TaskRunner)? = nil) -> Bool {
        if runner != nil, disk.withLock({ $0.file == nil }) {
            drainOnIO()  // creating the segment fsyncs the file and the directory
            return false
        }
        let batch = queue.withLock { queue -> (mutations: [RipMutation], durabilities: [Durability?], next: UInt64)? in
            guard !queue.mutations.isEmpty else {
                queue.draining = false
                return nil
            }
            defer {
                queue.mutations.removeAll(keepingCapacity: true)
                queue.durabilities.removeAll(keepingCapacity: true)
            }
            return (queue.mutations, queue.durabilities, queue.nextSequence)
        }
        guard let batch else { return false }
        let first = batch.next - UInt64(batch.mutations.count)
        do {
            let records = try batch.mutations.enumerated().map {
                WALFormat.record(sequence: first + UInt64($0.offset), mutation: try $0.element.serializedBytes())
            }
            let grown = try disk.withLock { disk in
                try write(records, into: &disk, firstSequence: first)
                return disk.bytesSinceSnapshot
            }
            for durability in batch.durabilities { durability?.succeed() }
            onGrowth(grown)
        } catch {
            let failure = RipError.unavailable("the change could not be written to the log: \(error)")
            // Recovery (rereading the log under the engine's lock) runs first, so a caller that
            // sees the error sees the rolled-back state; it runs on `io`, not on a loop, and
            // `io` drains what follows, so nothing is written between the failure and it.
            let fail: @Sendable () -> Void = { [self] in
                onFailure(failure)
                for durability in batch.durabilities { durability?.fail(failure) }
            }
            guard runner == nil else {
                io.async { [self] in
                    fail()
                    while drainBatch() {}
                }
                return false
            }
            fail()
        }
        if let runner {
            runner.execute { [self] in drainBatch(on: runner) }  // clears `draining` when empty
            return false
        }
        return true
    }

    /// Writes one batch. The fault policy: if the write or its fdatasync fails, the batch is cut
    /// off again (the file truncated to where the batch began, and that made durable) before the
    /// error is reported, so a change reported as failed never reappears after a restart. If
    /// the cut itself fails, nothing about the file can be trusted: `onFatal` stops the daemon
    /// without reporting the batch as failed (its clients see the connection drop: unknown
    /// outcome), and the next start recovers from what the disk holds.
    private func write(_ records: [[UInt8]], into disk: inout Disk, firstSequence: UInt64) throws {
        if disk.file == nil { try openSegment(&disk, firstSequence: firstSequence) }
        guard let file = disk.file else { return }
        let bytes = Array(records.joined())
        let start = disk.bytes
        do {
            try file.write(bytes)
            disk.bytes += bytes.count
            disk.unsynced = true
            if configuration.policy == .always { try sync(&disk) }
        } catch {
            do {
                try file.truncate(to: start)
                try file.sync()
            } catch let cut {
                configuration.onFatal("a batch of the write-ahead log failed (\(error)) and could not be cut off (\(cut))")
                throw cut
            }
            disk.bytes = start
            throw error
        }
        disk.bytesSinceSnapshot += bytes.count
        if disk.bytes >= configuration.segmentBytes {
            do {
                try sync(&disk)
            } catch {
                configuration.onFatal("fdatasync of a full write-ahead log segment failed: \(error)")
                throw error
            }
            file.close()
            disk.file = nil  // the next batch opens a segment named by its first sequence
        }
    }

    private func openSegment(_ disk: inout Disk, firstSequence: UInt64) throws {
        let path = configuration.directory + "/" + WALFormat.segmentName(firstSequence: firstSequence)
        let file = try configuration.fileLayer.openForAppend(path)
        try file.truncate(to: 0)  // a retry after a failed creation starts the file afresh
        try file.write(WALFormat.segmentMagic)
        try file.sync()
        try configuration.fileLayer.syncDirectory(configuration.directory)
        disk.file = file
        disk.firstSequence = firstSequence
        disk.bytes = WALFormat.segmentMagic.count
    }

    private func sync(_ disk: inout Disk) throws {
        guard disk.unsynced, let file = disk.file else { return }
        try file.sync()
        disk.unsynced = false
        disk.lastSyncUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
    }

    /// fdatasyncs whatever was written since the last sync (the `everysec` tick and shutdown).
    /// A failure is fatal: acknowledged changes may not be on disk, and after a failed
    /// fdatasync the kernel may have dropped them, so a retry proves nothing.
    public func syncNow() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            io.async { [self] in
                do {
                    try disk.withLock { try sync(&$0) }
                    continuation.resume()
                } catch {
                    configuration.onFatal("fdatasync of the write-ahead log failed: \(error)")
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Marks the start of a new snapshot interval.
    func resetGrowth() { disk.withLock { $0.bytesSinceSnapshot = 0 } }

    /// Bytes written since the last snapshot, and when the log was last fdatasynced.
    var statistics: (bytesSinceSnapshot: Int, lastSyncUnixMs: Int64?) {
        disk.withLock { ($0.bytesSinceSnapshot, $0.lastSyncUnixMs) }
    }

    /// Syncs and closes the segment. `io` runs its work in order, so the sync comes after every
    /// drain already queued there; nothing appends after close.
    public func close() async throws {
        try await syncNow()
        disk.withLock { disk in
            disk.file?.close()
            disk.file = nil
        }
    }
}
