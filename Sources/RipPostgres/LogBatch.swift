import RipEngine
import RipProto
import Synchronization

/// The journal of a shared store's engine: the changes of the write turn under way, numbered
/// after the last record of the shared log, appended to it when the turn ends. Open only while
/// this daemon holds the write turn; opened and closed under the engine's lock.
final class LogBatch: Journal {
    struct Entry: Sendable {
        let record: SharedLog.Record
        let durability: Durability?
    }

    private struct State {
        var next: UInt64 = 1
        var isOpen = false
        var entries: [Entry] = []
        /// Contents the turn's changes released (no artifact holds them after the change).
        var released: Set<String> = []
    }

    private let state = Mutex(State())

    var nextSequence: UInt64 { state.withLock { $0.next } }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    @discardableResult
    func append(_ mutation: RipMutation, durability: Durability?) -> UInt64 {
        state.withLock { state in
            let sequence = state.next
            state.next += 1
            state.entries.append(Entry(record: .init(sequence: sequence, mutation: mutation), durability: durability))
            return sequence
        }
    }

    /// Starts a turn's batch after the log's last record, `head`.
    func open(after head: UInt64) {
        state.withLock { $0 = State(next: head + 1, isOpen: true) }
    }

    /// Notes contents a change of the turn released.
    func release(_ sha256s: [String]) {
        state.withLock { $0.released.formUnion(sha256s) }
    }

    /// Ends the turn's batch and hands over its changes, and the contents whose holders they
    /// changed: those they released and those their new artifacts hold.
    func close() -> (entries: [Entry], contents: Set<String>) {
        state.withLock { state in
            state.isOpen = false
            defer { (state.entries, state.released) = ([], []) }
            var contents = state.released
            for entry in state.entries {
                if case .createArtifact(let artifact) = entry.record.mutation.kind { contents.insert(artifact.sha256) }
            }
            return (state.entries, contents)
        }
    }

    /// Numbers on from `head` (records another daemon appended, or a turn given up).
    func follow(_ head: UInt64) {
        state.withLock { $0.next = head + 1 }
    }
}
