import Foundation
import RipProto
import Synchronization

/// Decodes a segment's records on a thread of its own, a few chunks ahead of the replay that
/// applies them: decoding takes a good part of recovery, and this way it overlaps applying.
/// Chunks come out in record order; at most `ahead` decoded chunks wait at once. `stop()`
/// returns once the decoding thread is gone, however far the replay got.
final class DecodeAhead: Sendable {
    typealias Decoded = Swift.Result<RipMutation, any Error>

    private let records: [SegmentScan.Record]
    private let chunk: Int
    private let decoded = Mutex<[Int: [Decoded]]>([:])
    /// Chunks decoded and not yet taken.
    private let ready = DispatchSemaphore(value: 0)
    /// Room for more decoded chunks. Created at 0 and signalled up to `ahead`: libdispatch
    /// traps when a semaphore is freed below the value it was created with, which one whose
    /// replay stopped early would be.
    private let room = DispatchSemaphore(value: 0)
    /// Signalled when the decoding thread returns.
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let taken = Atomic<Int>(0)

    init(_ records: [SegmentScan.Record], chunk: Int = 1024, ahead: Int = 4) {
        self.records = records
        self.chunk = chunk
        for _ in 0..<ahead { room.signal() }
        guard !records.isEmpty else {
            finished.signal()
            return
        }
        Thread.detachNewThread { [self] in
            decodeAll()
            finished.signal()
        }
    }

    private func decodeAll() {
        for (index, start) in stride(from: 0, to: records.count, by: chunk).enumerated() {
            room.wait()
            if stopped.load(ordering: .acquiring) { return }
            let batch = records[start..<min(start + chunk, records.count)].map { record in
                Decoded { try Self.decode(record.mutation) }
            }
            decoded.withLock { $0[index] = batch }
            ready.signal()
        }
    }

    /// Decodes in place: the decoder copies every field out of the bytes it reads.
    private static func decode(_ bytes: ArraySlice<UInt8>) throws -> RipMutation {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return RipMutation() }
            return try RipMutation(
                serializedBytes: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none))
        }
    }

    /// The next chunk's decoded records, in order (waiting for them); nil after the last.
    func next() -> [Decoded]? {
        let index = taken.load(ordering: .relaxed)
        guard index * chunk < records.count else { return nil }
        ready.wait()
        let batch = decoded.withLock { $0.removeValue(forKey: index) }!
        taken.store(index + 1, ordering: .relaxed)
        room.signal()
        return batch
    }

    /// The replay is done with this segment (or stopped early): the decoder stops too, and is
    /// gone when this returns.
    func stop() {
        stopped.store(true, ordering: .releasing)
        room.signal()
        finished.wait()
    }
}
