import NIOCore

/// Splits a byte stream into frames: a 4-byte big-endian length N, then N bytes of payload.
///
/// Shaped like swift-nio-extras' `LengthFieldBasedFrameDecoder`, plus the maximum-length check
/// the protocol needs: a declared length over `maxFrameBytes` is rejected before any of its
/// payload is buffered, so a hostile peer cannot make the daemon allocate.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        guard length <= self.maxFrameBytes else {
            throw FrameTooLargeError(declaredBytes: Int(length), maxFrameBytes: self.maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 4)
        // A slice shares storage with the read buffer: no copy.
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A partial frame at EOF is dropped: its sender is gone and cannot be answered.
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// A peer declared a frame longer than the configured maximum.
public struct FrameTooLargeError: Error, Equatable, CustomStringConvertible {
    public let declaredBytes: Int
    public let maxFrameBytes: Int

    public var description: String {
        "frame of \(declaredBytes) bytes exceeds the maximum of \(maxFrameBytes) bytes"
    }
}
