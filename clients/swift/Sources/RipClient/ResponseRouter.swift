import NIOCore
import RipProto
import RipWire

/// Decodes each inbound frame as a `Response` and hands it to the waiting call.
final class ResponseRouter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let calls: CallRegistry
    /// A connection-level error from the daemon (id 0), reported to every call when it closes.
    private var connectionError: RipError?

    init(calls: CallRegistry) { self.calls = calls }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let response = try? RipResponse(frame: Self.unwrapInboundIn(data)) else {
            calls.closeAll(.internalError("ripd sent a frame that is not a rip.v1.Response"))
            context.close(promise: nil)
            return
        }
        let status = response.code == .ok ? nil : RipError(response.code, response.message)
        if response.id == 0 {
            connectionError = status
            return
        }
        calls.deliver(id: response.id, status: status, payload: response.payload, endOfStream: response.endOfStream)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        calls.closeAll(connectionError ?? .unavailable("connection to ripd failed: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        calls.closeAll(connectionError ?? .unavailable("connection to ripd closed"))
        context.fireChannelInactive()
    }
}
