import Foundation
import RipCore
import RipProto

/// Rebuilds the state from a data directory: the newest valid snapshot, then every later
/// record replayed through `RipState.apply`, the same code that applied it live (records are
/// decoded on another thread, ahead of the replay: `DecodeAhead`).
public enum Recovery {
    public struct Result: Sendable {
        public var state: RipState
        public var tail: WriteAheadLog.Tail
        public var snapshotSequence: UInt64
        public var recordsReplayed: Int
        /// Records an older build logged that this build's rules refuse: reported, not applied.
        public var recordsSkipped = 0
        public var segments: Int
        /// One line per segment: records, bytes, and how it ends.
        public var segmentSummaries: [String] = []
    }

    /// - Parameters:
    ///   - repair: cut the log at the first corrupt record instead of refusing to start
    ///     (like redis-check-aof --fix); everything from that record on is lost.
    ///   - readOnly: change nothing on disk (for `ripd check`): a torn tail is reported, not cut.
    ///   - report: receives one line per notable event (a cut tail, a skipped snapshot).
    public static func run(
        directory: String, repair: Bool, readOnly: Bool = false, report: (String) -> Void
    ) throws -> Result {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names where name.hasSuffix(".tmp") && !readOnly {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)  // an interrupted snapshot
        }
        let snapshots = names.compactMap { name in
            WALFormat.sequence(inName: name, prefix: "snapshot-", suffix: ".pb").map { ($0, name) }
        }.sorted { $0.0 > $1.0 }
        let segments = names.compactMap { name in
            WALFormat.sequence(inName: name, prefix: "wal-", suffix: ".log").map { ($0, name) }
        }.sorted { $0.0 < $1.0 }

        var state = RipState()
        var last: UInt64 = 0
        for (_, name) in snapshots {
            do {
                let snapshot = try SnapshotFile.read(directory + "/" + name)
                state = RipState(snapshot: snapshot)
                last = snapshot.lastSequence
                break
            } catch let newer as SnapshotFile.NewerFormat {
                throw StorageError(newer.description)
            } catch {
                report("skipping snapshot \(name): \(error)")
            }
        }
        let snapshotSequence = last

        var replayed = 0
        var skipped = 0
        var bytesAfterSnapshot = 0
        var summaries: [String] = []
        var tailSegment: (path: String, firstSequence: UInt64, bytes: Int)?
        for (index, (firstSequence, name)) in segments.enumerated() {
            let path = directory + "/" + name
            let bytes = try WholeFile.read(path)
            let scan = SegmentScan(bytes)
            let pending = scan.records.filter { $0.sequence > last }
            let decoder = DecodeAhead(pending)
            defer { decoder.stop() }
            var position = 0
            while let chunk = decoder.next() {
                for decoded in chunk {
                    let record = pending[position]
                    position += 1
                    guard record.sequence > last else { continue }
                    if record.sequence != last + 1 {
                        let gap = "\(path) offset \(record.offset): record \(record.sequence) follows record \(last); "
                            + "records \(last + 1)–\(record.sequence - 1) are missing"
                        // The missing records are gone either way; what follows them was durable.
                        guard repair else {
                            throw StorageError(gap + "; start with --repair to replay what follows the gap (changes that "
                                + "depended on the missing records are skipped and reported)")
                        }
                        report("repaired: " + gap + "; replaying on from record \(record.sequence)")
                    }
                    let mutation: RipMutation
                    do {
                        mutation = try decoded.get()
                    } catch {
                        throw StorageError("\(path) offset \(record.offset): record \(record.sequence) does not decode: \(error)")
                    }
                    do {
                        _ = try state.apply(mutation)
                    } catch {
                        // An older build accepted what this one refuses. `apply` changes nothing
                        // when it throws, so the state is what it would be without the record.
                        report("\(path) offset \(record.offset): record \(record.sequence) skipped, it does not replay: \(error)")
                        skipped += 1
                    }
                    last = record.sequence
                    replayed += 1
                    bytesAfterSnapshot += WALFormat.recordHeaderBytes + 8 + record.mutation.count
                }
            }
            let isLast = index == segments.count - 1
            let range = scan.records.first.map { "\($0.sequence)–\(scan.records.last?.sequence ?? $0.sequence)" } ?? "none"
            summaries.append("\(name): \(scan.records.count) records (\(range)), \(bytes.count) bytes, \(describe(scan.ending))")
            var goodBytes = bytes.count
            switch scan.ending {
            case .clean:
                break
            case .newer(let version):
                throw StorageError(
                    "\(path) is in WAL format version \(version), newer than this ripd reads (\(WALFormat.segmentVersion)); "
                        + "run the ripd that wrote it")
            case .tornTail(let offset) where isLast:
                report(
                    "\(readOnly ? "found" : "cut") a torn tail \(readOnly ? "in" : "off") \(path): "
                        + "\(bytes.count - offset) bytes of one partial record after offset \(offset)")
                goodBytes = offset
            case .tornTail(let offset), .corrupt(let offset, _):
                let reason = if case .corrupt(_, let reason) = scan.ending { reason } else { "incomplete record" }
                guard repair else {
                    throw StorageError(
                        "\(path) is corrupt at offset \(offset) (\(reason)) with records after it; "
                            + "start with --repair to cut the log there, losing every record from that point on")
                }
                let later = segments[(index + 1)...].map { directory + "/" + $0.1 }
                for file in later { try FileManager.default.removeItem(atPath: file) }
                report("repaired: cut \(path) at offset \(offset) (\(bytes.count - offset) bytes) and removed \(later.count) later segment(s)")
                goodBytes = offset
            }
            if readOnly {
                tailSegment = (path, firstSequence, goodBytes)
                continue
            }
            if goodBytes < bytes.count {
                try truncate(path, to: goodBytes)
            }
            if goodBytes < WALFormat.segmentMagic.count {
                try FileManager.default.removeItem(atPath: path)  // not even a header: nothing to keep
                tailSegment = nil
            } else {
                tailSegment = (path, firstSequence, goodBytes)
            }
            if goodBytes < bytes.count, !isLast { break }
        }
        return Result(
            state: state,
            tail: .init(nextSequence: last + 1, segment: tailSegment, bytesSinceSnapshot: bytesAfterSnapshot),
            snapshotSequence: snapshotSequence, recordsReplayed: replayed, recordsSkipped: skipped,
            segments: segments.count, segmentSummaries: summaries)
    }

    private static func describe(_ ending: SegmentScan.Ending) -> String {
        switch ending {
        case .clean: "clean"
        case .newer(let version): "format version \(version), newer than this build reads"
        case .tornTail(let offset): "torn tail at offset \(offset)"
        case .corrupt(let offset, let reason): "corrupt at offset \(offset) (\(reason))"
        }
    }

    private static func truncate(_ path: String, to size: Int) throws {
        guard Foundation.truncate(path, off_t(size)) == 0 else { throw StorageError.posix("truncate", path) }
    }
}
