import Foundation
import NIOCore
import RipProto
import RipWire
import SwiftProtobuf

/// Writes the responses of one server-stream call onto its connection.
///
/// Every write is enqueued on the channel's event loop, never written inline, even when the
/// caller is already on that loop: enqueue order is then write order, so a stream's messages
/// keep the order in which `StateStore` published them. Once the final response is written
/// nothing more is, so it is always last. A client that lets more than the connection's stream
/// buffer pile up unread gets that final response early, RESOURCE_EXHAUSTED, and can re-watch.
struct ResponseStream: Sendable {
    let id: UInt64
    let channel: any Channel
    private let state: NIOLoopBound<State>

    private final class State {
        let budget: OutboundBudget
        let limits: ConnectionLimits
        var ended = false

        init(budget: OutboundBudget, limits: ConnectionLimits) {
            self.budget = budget
            self.limits = limits
        }
    }

    /// Made on the channel's event loop.
    init(id: UInt64, channel: any Channel, budget: OutboundBudget, limits: ConnectionLimits) {
        self.id = id
        self.channel = channel
        state = NIOLoopBound(State(budget: budget, limits: limits), eventLoop: channel.eventLoop)
    }

    /// Queues `message`. It is encoded on the channel's event loop, not by the caller: watchers
    /// send under the state store's writer lock, which then holds no encoding work; and a
    /// message for a stream that has ended is never encoded.
    func send(_ message: some SwiftProtobuf.Message) {
        onLoop { [self] state in
            guard !state.ended else { return }
            let budget = state.budget, limits = state.limits
            let behind =
                budget.bytes > limits.streamBufferBytes || budget.messages >= limits.streamBufferMessages
                || (budget.total.bytes.load(ordering: .relaxed) > limits.totalStreamBufferBytes
                    && budget.bytes > limits.totalStreamBufferBytes / max(1, budget.total.streams.load(ordering: .relaxed)))
            guard !behind else {
                let overflow = RipError.resourceExhausted(
                    "the client fell behind: more than \(limits.streamBufferBytes) bytes or \(limits.streamBufferMessages) "
                        + "messages of this connection's streams (or \(limits.totalStreamBufferBytes) bytes of all "
                        + "clients' streams) waited unread; read faster, then watch again")
                channel.pipeline.fireUserInboundEventTriggered(StreamEnded(id: id, status: overflow))
                return
            }
            let payload: [UInt8] = (try? message.serializedBytes()) ?? []
            var frame = channel.allocator.buffer(capacity: 16 + payload.count)
            frame.writeResponse(id: id, payload: payload, endOfStream: false)
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    /// Ends the stream with status OK, from the daemon's side (the watched job finished).
    func end() {
        onLoop { [self] _ in channel.pipeline.fireUserInboundEventTriggered(StreamEnded(id: id, status: RipError(.ok, ""))) }
    }

    /// Writes the final response with `error`'s status; nothing is written after it.
    func finish(_ error: RipError) {
        var frame = channel.allocator.buffer(capacity: 24 + error.message.utf8.count)
        frame.writeResponse(id: id, error: error)
        onLoop { [self, frame] state in
            guard !state.ended else { return }
            state.ended = true
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    private func onLoop(_ body: @escaping @Sendable (State) -> Void) {
        let state = self.state
        channel.eventLoop.execute { body(state.value) }
    }
}

/// Tells the connection that one of its streams ends from the daemon's side (finished, or its
/// client fell behind), so it forgets the stream and writes the final status.
struct StreamEnded {
    let id: UInt64
    let status: RipError
}
