import NIOCore
import RipProto
import RipWire
import Synchronization

/// Refuses a connection (a peer whose credentials are not admitted, or one past
/// `--max-connections`): one response with id 0 and the refusal's status, then end of stream.
/// What the peer sends is discarded unread. The connection closes when the peer closes it, or
/// after `Refusals.linger`: closing at once, with the peer's first request unread, would have
/// the kernel reset the connection, and a client busy writing that request could miss the
/// refusal. Past `Refusals.maxLingering` refused connections still open, new ones close at once.
final class RefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let refusals: Refusals
    private let refusal: RipError

    init(_ refusals: Refusals, _ refusal: RipError) {
        self.refusals = refusals
        self.refusal = refusal
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeResponse(id: 0, error: refusal)
        let channel = context.channel
        let lingers = refusals.begin()
        channel.closeFuture.whenComplete { [refusals] _ in refusals.end() }
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { _ in
            channel.close(mode: lingers ? .output : .all, promise: nil)
        }
        if lingers { channel.eventLoop.scheduleTask(in: Refusals.linger) { channel.close(promise: nil) } }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// The refused connections still open, across the daemon.
public final class Refusals: Sendable {
    static let linger = TimeAmount.seconds(10)
    /// Each holds a descriptor while it lingers; `FileLimit` keeps room for them.
    public static let maxLingering = 64
    private let open = Atomic<Int>(0)

    /// Counts one more refused connection; returns whether it may linger.
    func begin() -> Bool { open.add(1, ordering: .relaxed).newValue <= Self.maxLingering }

    func end() { open.subtract(1, ordering: .relaxed) }
}
