import NIOCore
import Synchronization

/// What one client may hold of the daemon: connections, calls in flight, replies and stream
/// messages queued for it. Together they bound the memory any client can make ripd use.
public struct ConnectionLimits: Sendable {
    /// Connections served at once; one more is answered RESOURCE_EXHAUSTED and closed.
    public var maxConnections = 4096
    /// Unary calls whose replies are not yet written, per connection: at the cap the daemon
    /// stops reading the connection until replies go out (nothing is refused).
    public var maxCallsPerConnection = 1024
    /// Server streams open per connection; one more is refused with RESOURCE_EXHAUSTED.
    public var maxStreamsPerConnection = 1024
    /// A stream whose client lets more than this many bytes, or messages, of replies pile up
    /// unread ends with RESOURCE_EXHAUSTED; the client can watch again.
    public var streamBufferBytes = 4 << 20
    public var streamBufferMessages = 10_000
    /// Stream messages queued on all connections together (each counted by the memory it
    /// takes): past it, a stream whose connection has more than its fair share queued (this
    /// total over the connections holding stream messages, ended streams' included, so the
    /// share of those left does not grow as others end) ends with RESOURCE_EXHAUSTED. Clients
    /// that keep up have next to nothing queued and are not ended by it.
    public var totalStreamBufferBytes = 16 << 20
    /// Replies queued for a connection above `high` bytes stop reading its requests until they
    /// drain below `low` (NIO's write-buffer water marks).
    public var writeBuffer = ChannelOptions.Types.WriteBufferWaterMark(low: 256 << 10, high: 1 << 20)
    /// Claim calls parked waiting for a job, across all connections.
    public var maxParkedClaims = 10_000

    public init() {}
}

/// The stream messages written to one connection and not yet handed to the kernel, and their
/// share of the daemon-wide total. Lives on the connection's event loop; `ConnectionHandler`
/// counts every stream write into it and `ResponseStream` checks it after each flush.
final class OutboundBudget {
    private(set) var bytes = 0
    private(set) var messages = 0
    let total: StreamBufferTotal

    init(total: StreamBufferTotal) { self.total = total }

    func add(_ count: Int) {
        if messages == 0 { total.connections.add(1, ordering: .relaxed) }
        bytes += count
        messages += 1
        total.bytes.add(count + StreamBufferTotal.overhead, ordering: .relaxed)
    }

    func remove(_ count: Int) {
        bytes -= count
        messages -= 1
        total.bytes.subtract(count + StreamBufferTotal.overhead, ordering: .relaxed)
        if messages == 0 { total.connections.subtract(1, ordering: .relaxed) }
    }

    /// This connection's fair share of the total: the total over the connections holding
    /// stream messages. Each connection stops being sent more at its share, so all of them
    /// together hold about the total, however many there are and however many have ended.
    var fairShare: Int {
        total.limit / max(1, total.connections.load(ordering: .relaxed))
    }
}

/// Stream bytes queued on every connection, and how many connections hold some, shared by all
/// connections.
final class StreamBufferTotal: Sendable {
    /// What one queued message costs beyond its buffer (NIO's pending-write entry, the promise).
    static let overhead = 128
    let limit: Int
    let bytes = Atomic<Int>(0)
    let connections = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }
}
