import Foundation
import Logging
import NIOCore
import RipProto
import RipWire

/// Serves one client connection: decodes each frame as a `Request`, dispatches it, and writes
/// the responses.
///
/// Unary calls are answered synchronously on the event loop and their responses are flushed
/// once per read cycle (`channelReadComplete`), so a pipelining client gets a whole batch of
/// replies in one write. Server streams live in `streams` until the client cancels them,
/// disconnects, or the daemon shuts down.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct OpenStream {
        let sink: ResponseStream
        let cancel: MethodTable.StreamCancellation
    }

    private let methods: MethodTable
    private let statistics: ServerStatistics
    private let logger: Logger
    private var streams: [UInt64: OpenStream] = [:]
    /// Replies not yet sent: waiting for their change to become durable, or for other work.
    private var awaitingDurability = 0
    private var quiescing = false

    init(methods: MethodTable, statistics: ServerStatistics, logger: Logger) {
        self.methods = methods
        self.statistics = statistics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        statistics.countRequest()
        let request: Rip_V1_Request
        do {
            request = try Rip_V1_Request(frame: frame)
        } catch {
            // The length prefix was intact, so the next frame can still be read.
            write(context, id: 0, error: .invalidArgument("frame does not decode as rip.v1.Request: \(error)"))
            return
        }
        if request.cancel {
            endStream(request.id, with: RipError(.cancelled, "call \(request.id) was cancelled by the client"))
            return
        }
        guard let handler = methods.handler(for: request.method) else {
            let message =
                request.method.isEmpty
                ? "request \(request.id) names no method"
                : "unknown method '\(request.method)'; /rip.v1.AdminService/GetDescriptorSet lists the methods"
            write(context, id: request.id, error: RipError(.unimplemented, message))
            return
        }
        guard streams[request.id] == nil else {
            write(context, id: request.id, error: .invalidArgument("call id \(request.id) is already in flight"))
            return
        }
        switch handler {
        case .unary(let body):
            do {
                switch try body(request.payload, context.eventLoop) {
                case .now(let reply):
                    write(context, reply: reply, id: request.id)
                case .later(let reply):
                    awaitingDurability += 1
                    reply.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                        self.awaitingDurability -= 1
                        switch result {
                        case .success(let reply): self.write(context, reply: reply, id: request.id)
                        case .failure(let error): self.write(context, id: request.id, error: Self.ripError(error, logger: self.logger))
                        }
                        context.flush()
                        self.closeIfQuiesced(context)
                    }
                }
            } catch {
                write(context, id: request.id, error: Self.ripError(error, logger: logger))
            }
        case .serverStream(let body):
            let sink = ResponseStream(id: request.id, channel: context.channel)
            do {
                streams[request.id] = OpenStream(sink: sink, cancel: try body(request.payload, sink))
                statistics.streamOpened()
            } catch {
                write(context, id: request.id, error: Self.ripError(error, logger: logger))
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tooLarge = error as? FrameTooLargeError {
            // The stream cannot be resynchronised after an unread payload: answer, then close.
            logger.warning("closing connection", metadata: ["reason": "\(tooLarge)"])
            write(context, id: 0, error: .resourceExhausted("\(tooLarge); raise ripd --max-frame-bytes to allow it"))
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)))
                .whenComplete { _ in channel.close(promise: nil) }
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for stream in streams.values { stream.cancel() }
        statistics.streamsClosed(streams.count)
        streams.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let ended = event as? StreamEnded {
            guard let stream = streams.removeValue(forKey: ended.id) else { return }
            statistics.streamsClosed(1)
            stream.cancel()
            return
        }
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Unary calls finish synchronously, so only streams are in flight: end them, then close
        // once their final responses (enqueued behind any pending events) are written.
        for id in Array(streams.keys) {
            endStream(id, with: .unavailable("ripd is shutting down"))
        }
        quiescing = true
        closeIfQuiesced(context)
    }

    /// Once shutting down, closes after the last reply waiting for durability went out (behind
    /// any stream responses already enqueued).
    private func closeIfQuiesced(_ context: ChannelHandlerContext) {
        guard quiescing, awaitingDurability == 0 else { return }
        let channel = context.channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    private func endStream(_ id: UInt64, with status: RipError) {
        // Unknown ids are ignored: the call may have just finished.
        guard let stream = streams.removeValue(forKey: id) else { return }
        statistics.streamsClosed(1)
        stream.cancel()
        stream.sink.finish(status)
    }

    private func write(_ context: ChannelHandlerContext, reply: Data, id: UInt64) {
        write(context, .with {
            $0.id = id
            $0.payload = reply
            $0.endOfStream = true
        })
    }

    private func write(_ context: ChannelHandlerContext, id: UInt64, error: RipError) {
        write(context, .with {
            $0.id = id
            $0.code = error.code
            $0.message = error.message
            $0.endOfStream = true
        })
    }

    private func write(_ context: ChannelHandlerContext, _ response: Rip_V1_Response) {
        var buffer = context.channel.allocator.buffer(capacity: 16 + response.payload.count)
        do {
            try buffer.writeFrame(response)
            context.write(Self.wrapOutboundOut(buffer), promise: nil)
        } catch {
            logger.error("cannot encode response", metadata: ["id": "\(response.id)", "error": "\(error)"])
        }
    }

    /// Maps any thrown error to the wire once: `RipError` as it is, anything else as INTERNAL.
    private static func ripError(_ error: any Error, logger: Logger) -> RipError {
        if let error = error as? RipError { return error }
        logger.error("unexpected error in handler", metadata: ["error": "\(error)"])
        return .internalError("unexpected error: \(error)")
    }
}
