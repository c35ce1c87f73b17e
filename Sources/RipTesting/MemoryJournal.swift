import RipEngine
import RipProto
import Synchronization

/// A journal that keeps every record in memory, encoded as the log would write it, and calls
/// each durable at once: the engine's log for in-process tests and the fuzzer, whose records
/// can then be decoded and replayed.
public final class MemoryJournal: Journal {
    private let records = Mutex<[[UInt8]]>([])
    /// Durabilities held back while `holding`, in append order.
    private let held = Mutex<(holding: Bool, durabilities: [Durability])>((false, []))

    /// - Parameter holding: hold every durability back until `release()`, as a log whose
    ///   batch has not reached the disk yet.
    public init(holding: Bool = false) {
        held.withLock { $0.holding = holding }
    }

    @discardableResult
    public func append(_ mutation: RipMutation, durability: Durability?) -> UInt64 {
        let sequence = records.withLock { records in
            records.append((try? mutation.serializedBytes()) ?? [])
            return UInt64(records.count)
        }
        guard let durability else { return sequence }
        let now = held.withLock { held in
            if held.holding { held.durabilities.append(durability) }
            return !held.holding
        }
        if now { durability.succeed() }
        return sequence
    }

    /// Holds back the durabilities of later appends, until `release()`.
    public func hold() {
        held.withLock { $0.holding = true }
    }

    /// Reports every held durability, and those of later appends at once.
    public func release() {
        let durabilities = held.withLock { held in
            held.holding = false
            defer { held.durabilities = [] }
            return held.durabilities
        }
        for durability in durabilities { durability.succeed() }
    }

    public var nextSequence: UInt64 { records.withLock { UInt64($0.count) + 1 } }

    /// Every record appended so far, in order.
    public var mutations: [[UInt8]] { records.withLock { $0 } }
}
