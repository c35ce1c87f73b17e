import Foundation
import NIOCore
import RipProto
import SwiftProtobuf

/// The envelope codec: every frame ripd or a Swift client writes is made here, and every frame
/// either reads is decoded here. A frame is a 4-byte big-endian length, then a `rip.v1.Request`
/// or `rip.v1.Response`.
///
/// The envelope's few fields are written straight into the buffer in protobuf's wire format
/// (field order, fields at their default left out: the bytes swift-protobuf gives), so a
/// payload is copied once, from its serialization into the frame, instead of into an envelope
/// message, its serialization and then the buffer.
extension ByteBuffer {
    /// Appends a response frame of call `id`.
    public mutating func writeResponse(
        id: UInt64, code: RipStatusCode = .ok, message: String = "", payload: some ContiguousBytes = [UInt8](),
        endOfStream: Bool
    ) {
        writeFrame { buffer in
            buffer.writeField(1, varint: id)
            buffer.writeField(2, varint: UInt64(bitPattern: Int64(code.rawValue)))
            buffer.writeField(3, string: message)
            payload.withUnsafeBytes { buffer.writeField(4, bytes: $0) }
            buffer.writeField(5, varint: endOfStream ? 1 : 0)
        }
    }

    /// Appends the final response of call `id` with `error`'s status.
    public mutating func writeResponse(id: UInt64, error: RipError) {
        writeResponse(id: id, code: error.code, message: error.message, endOfStream: true)
    }

    /// Appends a request frame: call `id` of `method` with `payload`, or its cancel.
    public mutating func writeRequest(id: UInt64, method: String, payload: some ContiguousBytes, cancel: Bool = false) {
        writeFrame { buffer in
            buffer.writeField(1, varint: id)
            buffer.writeField(2, string: method)
            payload.withUnsafeBytes { buffer.writeField(3, bytes: $0) }
            buffer.writeField(4, varint: cancel ? 1 : 0)
        }
    }

    /// Writes a length placeholder, the fields, then the length.
    private mutating func writeFrame(_ fields: (inout ByteBuffer) -> Void) {
        let start = writerIndex
        writeInteger(UInt32(0))
        fields(&self)
        setInteger(UInt32(writerIndex - start - 4), at: start)
    }

    private mutating func writeField(_ number: UInt64, varint value: UInt64) {
        guard value != 0 else { return }
        writeVarint(number << 3)
        writeVarint(value)
    }

    private mutating func writeField(_ number: UInt64, string: String) {
        guard !string.isEmpty else { return }
        writeVarint(number << 3 | 2)
        writeVarint(UInt64(string.utf8.count))
        writeString(string)
    }

    private mutating func writeField(_ number: UInt64, bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        writeVarint(number << 3 | 2)
        writeVarint(UInt64(bytes.count))
        writeBytes(bytes)
    }

    private mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        writeInteger(UInt8(value))
    }
}

extension SwiftProtobuf.Message {
    /// Decodes a message (an envelope) from the readable bytes of a frame.
    public init(frame: ByteBuffer, options: BinaryDecodingOptions = BinaryDecodingOptions()) throws {
        try self.init(serializedBytes: Array(frame.readableBytesView), options: options)
    }
}
