import Synchronization

/// Counters reported by `AdminService/Info`, updated from every event loop without locks.
final class ServerStatistics: Sendable {
    private let open = Atomic<UInt64>(0)
    private let total = Atomic<UInt64>(0)
    private let requests = Atomic<UInt64>(0)
    private let streams = Atomic<UInt64>(0)
    private let paused = Atomic<UInt64>(0)

    var connectionsOpen: UInt64 { open.load(ordering: .relaxed) }
    var connectionsTotal: UInt64 { total.load(ordering: .relaxed) }
    var requestsTotal: UInt64 { requests.load(ordering: .relaxed) }
    var streamsOpen: UInt64 { streams.load(ordering: .relaxed) }
    var connectionsPaused: UInt64 { paused.load(ordering: .relaxed) }

    func connectionOpened() {
        open.add(1, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
    }

    func connectionClosed() { open.subtract(1, ordering: .relaxed) }

    func countRequest() { requests.add(1, ordering: .relaxed) }

    func streamOpened() { streams.add(1, ordering: .relaxed) }

    func streamsClosed(_ count: Int) { streams.subtract(UInt64(count), ordering: .relaxed) }

    func connectionPaused() { paused.add(1, ordering: .relaxed) }

    func connectionResumed() { paused.subtract(1, ordering: .relaxed) }
}
