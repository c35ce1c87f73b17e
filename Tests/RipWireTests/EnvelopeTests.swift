import Foundation
import NIOCore
import RipProto
import RipWire
import SwiftProtobuf
import Testing

/// The envelope codec writes the bytes swift-protobuf would: the same fields, in field order,
/// defaults left out, so any protobuf library reads them.
@Suite("Envelope codec")
struct EnvelopeTests {
    static let ids: [UInt64] = [0, 1, 127, 128, 300, 1 << 32, UInt64(Int64.max), .max]
    static let texts = ["", "a", "/rip.v1.SessionService/CreateSession", "é—😀", String(repeating: "x", count: 300)]
    static let payloads: [[UInt8]] = [[], [0], Array(0...255), [UInt8](repeating: 7, count: 70_000)]

    /// The frame's body, after checking its length prefix.
    func body(_ buffer: ByteBuffer) throws -> [UInt8] {
        let length = try #require(buffer.getInteger(at: buffer.readerIndex, as: UInt32.self))
        #expect(Int(length) == buffer.readableBytes - 4)
        return Array(buffer.readableBytesView.dropFirst(4))
    }

    @Test("responses", arguments: [RipStatusCode.ok, .notFound, .unavailable, .UNRECOGNIZED(99)])
    func responses(code: RipStatusCode) throws {
        for id in Self.ids {
            for message in Self.texts {
                for payload in Self.payloads {
                    for end in [false, true] {
                        var buffer = ByteBuffer()
                        buffer.writeResponse(id: id, code: code, message: message, payload: payload, endOfStream: end)
                        let expected = RipResponse.with {
                            $0.id = id
                            $0.code = code
                            $0.message = message
                            $0.payload = Data(payload)
                            $0.endOfStream = end
                        }
                        #expect(try body(buffer) == (try expected.serializedBytes() as [UInt8]))
                    }
                }
            }
        }
    }

    @Test("requests and cancels")
    func requests() throws {
        for id in Self.ids {
            for method in Self.texts {
                for payload in Self.payloads {
                    for cancel in [false, true] {
                        var buffer = ByteBuffer()
                        buffer.writeRequest(id: id, method: method, payload: payload, cancel: cancel)
                        let expected = RipRequest.with {
                            $0.id = id
                            $0.method = method
                            $0.payload = Data(payload)
                            $0.cancel = cancel
                        }
                        #expect(try body(buffer) == (try expected.serializedBytes() as [UInt8]))
                    }
                }
            }
        }
    }

    @Test("a final status carries the error's code and message, after whatever the buffer held")
    func errors() throws {
        var buffer = ByteBuffer(bytes: [9, 9])
        buffer.moveReaderIndex(forwardBy: 2)
        buffer.writeResponse(id: 7, error: RipError(.resourceExhausted, "too many"))
        let response = try RipResponse(frame: buffer.getSlice(at: buffer.readerIndex + 4, length: buffer.readableBytes - 4)!)
        #expect(response.id == 7 && response.code == .resourceExhausted && response.message == "too many" && response.endOfStream)
    }
}
