import Foundation
import NIOCore
import RipEngine
import RipProto
import RipWire
import SwiftProtobuf
import Synchronization

/// Writes the responses of one server-stream call onto its connection.
///
/// `send` only appends the message to the stream's outbox and, when no drain is already due,
/// schedules one on the channel's event loop; the drain encodes what the outbox holds, writes
/// it and flushes once. So a stream costs the loop one task per burst of messages rather than
/// one per message (a thousand watchers of a busy store would otherwise queue a million tasks
/// on the loops, each holding its message), messages keep the order in which `StateEngine`
/// published them, and nothing is encoded under the store's writer lock, where watchers run.
///
/// Once the final response is written nothing more is, so it is always last. A client that
/// lets more than the connection's stream buffer pile up unread gets that final response
/// early, RESOURCE_EXHAUSTED, and can re-watch; so does one whose outbox holds more messages
/// than the buffer allows before the loop gets to it.
struct ResponseStream: Sendable {
    let id: UInt64
    let channel: any Channel
    private let outbox: Outbox
    /// The most messages the outbox holds (the connection's stream buffer in messages).
    private let outboxLimit: Int
    private let state: NIOLoopBound<State>

    /// Messages sent and not yet taken by a drain; any thread appends, the loop takes.
    private final class Outbox: Sendable {
        struct Queue {
            var messages: [any SwiftProtobuf.Message] = []
            /// A drain is scheduled and has not yet taken the queue.
            var drainDue = false
            /// `end()` was called: the stream ends with OK after these messages.
            var ends = false
            /// More messages were sent than the buffer holds before a drain took them.
            var overflowed = false
        }

        let queue = Mutex(Queue())
    }

    /// Lives on the channel's event loop.
    private final class State {
        let budget: OutboundBudget
        let limits: ConnectionLimits
        var ended = false

        init(budget: OutboundBudget, limits: ConnectionLimits) {
            self.budget = budget
            self.limits = limits
        }

        /// Whether the stream's client fell behind: its connection holds more stream bytes or
        /// messages than it may, or, while all clients together hold more than the total, more
        /// than its fair share of it.
        var behind: Bool {
            budget.bytes > limits.streamBufferBytes || budget.messages >= limits.streamBufferMessages
                || (budget.total.bytes.load(ordering: .relaxed) > budget.total.limit && budget.bytes > budget.fairShare)
        }
    }

    /// A drain flushes whenever it has written this much, so one long burst reaches the
    /// kernel as it goes rather than piling up unflushed against the client's buffer.
    private static let flushEvery = 16 << 10

    /// Made on the channel's event loop.
    init(id: UInt64, channel: any Channel, budget: OutboundBudget, limits: ConnectionLimits) {
        self.id = id
        self.channel = channel
        outbox = Outbox()
        outboxLimit = limits.streamBufferMessages
        state = NIOLoopBound(State(budget: budget, limits: limits), eventLoop: channel.eventLoop)
    }

    /// Queues `message`. Safe from any thread; messages keep the order of the calls.
    func send(_ message: some SwiftProtobuf.Message) {
        let limit = outboxLimit
        let schedule = outbox.queue.withLock { queue -> Bool in
            guard !queue.overflowed, !queue.ends else { return false }
            if queue.messages.count >= limit {
                queue.messages = []
                queue.overflowed = true
            } else {
                queue.messages.append(message)
            }
            defer { queue.drainDue = true }
            return !queue.drainDue
        }
        if schedule { scheduleDrain() }
    }

    /// Ends the stream with status OK after the messages already queued (the watched job
    /// finished).
    func end() {
        let schedule = outbox.queue.withLock { queue -> Bool in
            queue.ends = true
            defer { queue.drainDue = true }
            return !queue.drainDue
        }
        if schedule { scheduleDrain() }
    }

    /// Writes the final response with `error`'s status; nothing is written after it.
    func finish(_ error: RipError) {
        var frame = channel.allocator.buffer(capacity: 24 + error.message.utf8.count)
        frame.writeResponse(id: id, error: error)
        let state = self.state
        channel.eventLoop.execute { [channel, frame] in
            guard !state.value.ended else { return }
            state.value.ended = true
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    private func scheduleDrain() {
        let stream = self
        channel.eventLoop.execute { stream.drain() }
    }

    /// On the loop: encodes and writes what the outbox holds, then ends the stream if asked.
    private func drain() {
        let taken = outbox.queue.withLock { queue -> Outbox.Queue in
            defer { queue = Outbox.Queue() }
            return queue
        }
        let state = self.state.value
        guard !state.ended else { return }
        // What is still queued right after a flush is what the client left unread: the check
        // runs then, never against messages of this drain not yet handed to the kernel. While
        // the kernel takes everything, a drain flushes every `flushEvery` bytes; once it does
        // not (bytes from before the unflushed ones still wait), after every message.
        guard !state.behind else { return fellBehind(state.limits) }
        var unflushed = 0
        for message in taken.messages {
            let payload: [UInt8] = (try? message.serializedBytes()) ?? []
            var frame = channel.allocator.buffer(capacity: 16 + payload.count)
            frame.writeResponse(id: id, payload: payload, endOfStream: false)
            unflushed += frame.capacity
            channel.write(frame, promise: nil)
            if unflushed >= Self.flushEvery || state.budget.bytes > unflushed {
                channel.flush()
                unflushed = 0
                guard !state.behind else { return fellBehind(state.limits) }
            }
        }
        if unflushed > 0 { channel.flush() }
        if taken.overflowed {
            fellBehind(state.limits)
        } else if taken.ends {
            channel.pipeline.fireUserInboundEventTriggered(StreamEnded(id: id, status: RipError(.ok, "")))
        }
    }

    /// Ends the stream with RESOURCE_EXHAUSTED; what is sent until the connection forgets it is
    /// dropped at once.
    private func fellBehind(_ limits: ConnectionLimits) {
        outbox.queue.withLock { queue in
            queue.messages = []
            queue.overflowed = true
        }
        let overflow = RipError.resourceExhausted(
            "the client fell behind: more than \(limits.streamBufferBytes) bytes or \(limits.streamBufferMessages) "
                + "messages of this connection's streams (or \(limits.totalStreamBufferBytes) bytes of all "
                + "clients' streams) waited unread; read faster, then watch again")
        channel.pipeline.fireUserInboundEventTriggered(StreamEnded(id: id, status: overflow))
    }
}

/// Tells the connection that one of its streams ends from the daemon's side (finished, or its
/// client fell behind), so it forgets the stream and writes the final status.
struct StreamEnded {
    let id: UInt64
    let status: RipError
}
