import RipEngine
import RipProto
import Synchronization

/// A journal that keeps every record in memory, encoded as the log would write it, and calls
/// each durable at once: the engine's log for in-process tests and the fuzzer, whose records
/// can then be decoded and replayed.
public final class MemoryJournal: Journal {
    private let records = Mutex<[[UInt8]]>([])

    public init() {}

    @discardableResult
    public func append(_ mutation: RipMutation, durability: Durability?) -> UInt64 {
        let sequence = records.withLock { records in
            records.append((try? mutation.serializedBytes()) ?? [])
            return UInt64(records.count)
        }
        durability?.succeed()
        return sequence
    }

    public var nextSequence: UInt64 { records.withLock { UInt64($0.count) + 1 } }

    /// Every record appended so far, in order.
    public var mutations: [[UInt8]] { records.withLock { $0 } }
}
