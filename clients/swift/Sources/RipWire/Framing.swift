import NIOCore
import SwiftProtobuf

extension ByteBuffer {
    /// Appends `message` as one frame: its 4-byte big-endian length, then its bytes.
    public mutating func writeFrame(_ message: some SwiftProtobuf.Message) throws {
        let bytes: [UInt8] = try message.serializedBytes()
        self.reserveCapacity(minimumWritableBytes: 4 + bytes.count)
        self.writeInteger(UInt32(bytes.count))
        self.writeBytes(bytes)
    }
}

extension SwiftProtobuf.Message {
    /// Decodes a message from the readable bytes of a frame.
    public init(frame: ByteBuffer) throws {
        try self.init(serializedBytes: Array(frame.readableBytesView))
    }
}
