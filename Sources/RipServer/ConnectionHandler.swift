import DequeModule
import Foundation
import Logging
import NIOCore
import RipProto
import RipWire

/// Serves one client connection: decodes each frame as a `Request`, dispatches it, and writes
/// the responses.
///
/// Replies to unary calls are flushed once per read cycle (`channelReadComplete`), so a
/// pipelining client gets a whole batch of replies in one write. Server streams live in
/// `streams` until the client cancels them, disconnects, or the daemon shuts down.
///
/// Backpressure: the connection is not read while its unsent replies are above the write
/// buffer's high-water mark or `maxCallsPerConnection` calls await their replies; requests
/// already read wait in `held` meanwhile. So a client that pipelines without reading holds at
/// most one water mark of replies and one read of requests, and still gets every reply once it
/// reads.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct OpenStream {
        let sink: ResponseStream
        let cancel: MethodTable.StreamCancellation
    }

    private let methods: MethodTable
    private let statistics: ServerStatistics
    private let limits: ConnectionLimits
    private let logger: Logger
    private let budget: OutboundBudget
    private let closing = ConnectionClosing()
    private var streams: [UInt64: OpenStream] = [:]
    /// Unary calls read and not yet answered: waiting for durability, or for other work.
    private var callsInFlight = 0
    /// Frames read while the connection was paused, served in order once it resumes.
    private var held = Deque<ByteBuffer>()
    /// A read the channel asked for while paused, to pass on once it resumes.
    private var readWanted = false
    private var quiescing = false

    init(
        methods: MethodTable, statistics: ServerStatistics, limits: ConnectionLimits, streamTotal: StreamBufferTotal,
        logger: Logger
    ) {
        self.methods = methods
        self.budget = OutboundBudget(total: streamTotal)
        self.statistics = statistics
        self.limits = limits
        self.logger = logger
    }

    private func isPaused(_ context: ChannelHandlerContext) -> Bool {
        !context.channel.isWritable || callsInFlight >= limits.maxCallsPerConnection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        if !held.isEmpty || isPaused(context) {
            held.append(frame)
        } else {
            serve(context, frame)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resume(context)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if isPaused(context) || !held.isEmpty {
            if !readWanted { statistics.connectionPaused() }
            readWanted = true
        } else {
            context.read()
        }
    }

    /// Counts what the connection's streams write (their writes start at the pipeline's tail;
    /// unary replies are bounded by pausing reads instead, and cost no promise).
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = Self.unwrapOutboundIn(data)
        context.write(Self.wrapOutboundOut(buffer), promise: counted(buffer.capacity, context, promise))
    }

    /// Serves held frames while the connection is not paused, then reads again if a read was
    /// wanted.
    private func resume(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var served = false
        while !isPaused(context), let frame = held.popFirst() {
            serve(context, frame)
            served = true
        }
        if served { context.flush() }
        if readWanted && held.isEmpty && !isPaused(context) {
            readWanted = false
            statistics.connectionResumed()
            context.read()
        }
    }

    private func serve(_ context: ChannelHandlerContext, _ frame: ByteBuffer) {
        statistics.countRequest()
        let request: RipRequest
        do {
            request = try RipRequest(frame: frame)
        } catch {
            // The length prefix was intact, so the next frame can still be read.
            write(context, id: 0, error: .invalidArgument("frame does not decode as rip.v1.Request: \(error)"))
            return
        }
        if request.cancel {
            // A stream ends with CANCELLED; so does a parked claim, through its hook.
            endStream(request.id, with: RipError(.cancelled, "call \(request.id) was cancelled by the client"))
            closing.cancel(call: request.id)
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
        let call = CallContext(id: request.id, eventLoop: context.eventLoop, closing: closing)
        switch handler {
        case .unary(let body):
            do {
                switch try body(request.payload, call) {
                case .now(let reply):
                    write(context, reply: reply, id: request.id)
                case .later(let reply):
                    callsInFlight += 1
                    reply.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                        self.callsInFlight -= 1
                        switch result {
                        case .success(let reply): self.write(context, reply: reply, id: request.id)
                        case .failure(let error): self.write(context, id: request.id, error: Self.ripError(error, logger: self.logger))
                        }
                        context.flush()
                        self.resume(context)
                        self.closeIfQuiesced(context)
                    }
                }
            } catch {
                write(context, id: request.id, error: Self.ripError(error, logger: logger))
            }
        case .serverStream(let body):
            guard streams.count < limits.maxStreamsPerConnection else {
                write(context, id: request.id, error: .resourceExhausted(
                    "\(limits.maxStreamsPerConnection) streams are open on this connection, the most allowed; cancel one first"))
                return
            }
            let sink = ResponseStream(id: request.id, channel: context.channel, budget: budget, limits: limits)
            do {
                streams[request.id] = OpenStream(sink: sink, cancel: try body(request.payload, sink))
                statistics.streamOpened()
            } catch {
                write(context, id: request.id, error: Self.ripError(error, logger: logger))
            }
        }
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
        held.removeAll()
        if readWanted { statistics.connectionResumed() }
        readWanted = false
        closing.close()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let ended = event as? StreamEnded {
            endStream(ended.id, with: ended.status)
            return
        }
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // End the streams now; close once the last unary reply still owed went out (behind
        // the streams' final responses, already enqueued).
        for id in Array(streams.keys) {
            endStream(id, with: .unavailable("ripd is shutting down"))
        }
        quiescing = true
        closeIfQuiesced(context)
    }

    /// Once shutting down, closes after the last reply waiting for durability went out (behind
    /// any stream responses already enqueued).
    private func closeIfQuiesced(_ context: ChannelHandlerContext) {
        guard quiescing, callsInFlight == 0 else { return }
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
        var buffer = context.channel.allocator.buffer(capacity: 24 + reply.count)
        buffer.writeResponse(id: id, payload: reply, endOfStream: true)
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
    }

    private func write(_ context: ChannelHandlerContext, id: UInt64, error: RipError) {
        var buffer = context.channel.allocator.buffer(capacity: 24 + error.message.utf8.count)
        buffer.writeResponse(id: id, error: error)
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
    }

    /// A promise that takes `bytes` off the stream budget once they are written (or failed).
    private func counted(
        _ bytes: Int, _ context: ChannelHandlerContext, _ promise: EventLoopPromise<Void>?
    ) -> EventLoopPromise<Void> {
        budget.add(bytes)
        let written = context.eventLoop.makePromise(of: Void.self)
        let budget = NIOLoopBound(self.budget, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { result in
            budget.value.remove(bytes)
            promise?.completeWith(result)
        }
        return written
    }

    /// Maps any thrown error to the wire once: `RipError` as it is, anything else as INTERNAL.
    private static func ripError(_ error: any Error, logger: Logger) -> RipError {
        if let error = error as? RipError { return error }
        logger.error("unexpected error in handler", metadata: ["error": "\(error)"])
        return .internalError("unexpected error: \(error)")
    }
}
