import NIOCore
import RipStorage
import Synchronization

/// A journal that keeps every record in memory and calls each durable at once: the state
/// store's log for in-process tests and the fuzzer, whose records can then be replayed.
public final class MemoryJournal: Journal {
    private let records = Mutex<[[UInt8]]>([])

    public init() {}

    @discardableResult
    public func append(_ mutation: [UInt8], promise: EventLoopPromise<Void>?) -> UInt64 {
        let sequence = records.withLock { records in
            records.append(mutation)
            return UInt64(records.count)
        }
        promise?.succeed()
        return sequence
    }

    public var nextSequence: UInt64 { records.withLock { UInt64($0.count) + 1 } }

    /// Every record appended so far, in order.
    public var mutations: [[UInt8]] { records.withLock { $0 } }
}
