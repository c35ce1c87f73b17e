import HeapModule
import RipProto

/// The jobs waiting to be claimed, by method and priority: one min-heap per lane, ordered by
/// the time a job became ready (its run_at) and then by its queue ticket, so claims take the
/// highest priority first and, within one, first come first served.
///
/// Entries are never removed out of order: a job that leaves the pending state (claimed,
/// paused, cancelled) or is enqueued again (with a new ticket) leaves a stale entry behind,
/// dropped when it reaches the top of its heap.
struct JobQueue: Sendable {
    struct Entry: Comparable, Sendable {
        let readyAt: UnixMillis
        let ticket: UInt64
        let id: String

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.readyAt, lhs.ticket) < (rhs.readyAt, rhs.ticket) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.ticket == rhs.ticket }
    }

    /// Heaps by method, each an array indexed by priority (critical first).
    private var lanes: [String: [Heap<Entry>]] = [:]
    /// Entries a claim passed over because their key had no room (its concurrency limit
    /// reached), by key: out of the lanes, so claims do not scan them again, until `unpark`.
    private var parked: [String: [(method: String, priority: Int, entry: Entry)]] = [:]
    private(set) var nextTicket: UInt64 = 1

    init(nextTicket: UInt64 = 1) { self.nextTicket = nextTicket }

    private static let priorities: [RipJobPriority] = [.critical, .high, .medium, .low]

    private static func lane(of priority: RipJobPriority) -> Int {
        priorities.firstIndex(of: priority) ?? 2
    }

    /// Puts a pending job in line; returns the ticket the job must carry.
    mutating func enqueue(_ job: RipJob) -> UInt64 {
        let ticket = nextTicket
        nextTicket += 1
        insert(.init(readyAt: job.runAt.unixMillis, ticket: ticket, id: job.id), method: job.method, priority: job.priority)
        return ticket
    }

    /// Rebuilds an entry from a snapshot (the job keeps its ticket).
    mutating func restore(_ job: RipJob) {
        insert(.init(readyAt: job.runAt.unixMillis, ticket: job.queueTicket, id: job.id), method: job.method, priority: job.priority)
        nextTicket = max(nextTicket, job.queueTicket + 1)
    }

    private mutating func insert(_ entry: Entry, method: String, priority: RipJobPriority) {
        lanes[method, default: Array(repeating: Heap(), count: Self.priorities.count)][Self.lane(of: priority)].insert(entry)
    }

    /// Takes up to `limit` jobs ready at `now` from the lanes of `methods` (all when empty), in
    /// claim order. `isCurrent` tells a live entry from a stale one; `room` gives an entry's
    /// limit key and how many more of its jobs may start (nil: unlimited). An entry whose key
    /// has no room left is parked.
    mutating func take(
        methods: [String], limit: Int, now: UnixMillis, isCurrent: (Entry) -> Bool,
        room: (Entry) -> (key: String, room: Int)? = { _ in nil }
    ) -> [String] {
        let names = methods.isEmpty ? Array(lanes.keys) : methods.filter { lanes[$0] != nil }
        var taken: [String] = []
        var startedPerKey: [String: Int] = [:]
        for priority in Self.priorities.indices {
            while taken.count < limit {
                var best: (method: String, entry: Entry)?
                for name in names {
                    guard let top = liveTop(name, priority, isCurrent), top.readyAt <= now else { continue }
                    if best == nil || top < best!.entry { best = (name, top) }
                }
                guard let best else { break }
                _ = lanes[best.method]![priority].popMin()
                if let (key, room) = room(best.entry) {
                    guard startedPerKey[key, default: 0] < room else {
                        parked[key, default: []].append((best.method, priority, best.entry))
                        continue
                    }
                    startedPerKey[key, default: 0] += 1
                }
                taken.append(best.entry.id)
            }
        }
        return taken
    }

    /// Puts the entries parked for `key` back in line; returns whether there were any.
    mutating func unpark(_ key: String) -> Bool {
        guard !key.isEmpty, let entries = parked.removeValue(forKey: key) else { return false }
        for (method, priority, entry) in entries {
            lanes[method, default: Array(repeating: Heap(), count: Self.priorities.count)][priority].insert(entry)
        }
        return true
    }

    /// The lane's first live entry; stale entries above it are dropped.
    private mutating func liveTop(_ method: String, _ priority: Int, _ isCurrent: (Entry) -> Bool) -> Entry? {
        while let top = lanes[method]?[priority].min {
            if isCurrent(top) { return top }
            _ = lanes[method]![priority].popMin()
        }
        return nil
    }
}
