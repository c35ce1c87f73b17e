import Foundation
import NIOCore
import RipProto
import RipWire

/// Writes the responses of one server-stream call onto its connection.
///
/// Every write is enqueued on the channel's event loop, never written inline, even when the
/// caller is already on that loop: enqueue order is then write order, so a stream's messages
/// keep the order in which `StateStore` published them, and its final end-of-stream response,
/// enqueued after the stream was unregistered, is always last.
struct ResponseStream: Sendable {
    let id: UInt64
    let channel: any Channel

    func send(payload: Data) {
        enqueue(.with {
            $0.id = id
            $0.payload = payload
        })
    }

    /// Ends the stream with status OK, from the daemon's side (the watched job finished).
    func end() {
        finish(RipError(.ok, ""))
        let channel = self.channel
        channel.eventLoop.execute { [id] in
            channel.pipeline.fireUserInboundEventTriggered(StreamEnded(id: id))
        }
    }

    /// Ends the stream with `error`'s status.
    func finish(_ error: RipError) {
        enqueue(.with {
            $0.id = id
            $0.code = error.code
            $0.message = error.message
            $0.endOfStream = true
        })
    }

    private func enqueue(_ response: Rip_V1_Response) {
        var buffer = channel.allocator.buffer(capacity: 64 + response.payload.count)
        guard (try? buffer.writeFrame(response)) != nil else { return }
        let channel = self.channel
        let frame = buffer
        channel.eventLoop.execute {
            channel.writeAndFlush(frame, promise: nil)
        }
    }
}

/// Tells the connection that one of its streams ended itself, so it forgets the stream.
struct StreamEnded {
    let id: UInt64
}
