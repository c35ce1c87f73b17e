import Foundation
import NIOCore
import NIOEmbedded
import RipProto
import RipWire
import Testing

@Suite("Frame decoder")
struct FrameDecoderTests {
    private func channel(max: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: max)))
        return channel
    }

    private func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    }

    private func frames(_ channel: EmbeddedChannel) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { out.append(Array(buffer.readableBytesView)) }
        return out
    }

    @Test("a frame split into single-byte reads arrives once, whole")
    func splitAcrossReads() throws {
        let channel = try channel()
        let bytes = frame(Array("hello, ripd".utf8))
        for (index, byte) in bytes.enumerated() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            #expect(try frames(channel) == (index == bytes.count - 1 ? [Array("hello, ripd".utf8)] : []))
        }
    }

    @Test("many frames in one read come out in order")
    func manyInOneRead() throws {
        let channel = try channel()
        let payloads = (0..<50).map { i in [UInt8](repeating: UInt8(i), count: i) }
        try channel.writeInbound(ByteBuffer(bytes: payloads.flatMap(frame)))
        #expect(try frames(channel) == payloads)
    }

    @Test("a zero-length frame is an empty frame")
    func zeroLength() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(bytes: frame([]) + frame([7])))
        #expect(try frames(channel) == [[], [7]])
    }

    @Test("a frame of exactly the maximum passes")
    func exactlyMaximum() throws {
        let channel = try channel(max: 16)
        try channel.writeInbound(ByteBuffer(bytes: frame([UInt8](repeating: 1, count: 16))))
        #expect(try frames(channel).map(\.count) == [16])
    }

    @Test("a declared length over the maximum fails before its payload arrives")
    func oversize() throws {
        let channel = try channel(max: 16)
        let error = #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 17]))
        }
        #expect(error?.declaredBytes == 17 && error?.maxFrameBytes == 16)
    }

    @Test("a partial frame waits for the rest of its bytes")
    func partialThenRest() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(bytes: frame([1, 2, 3]) + [0, 0, 0, 4, 9]))
        #expect(try frames(channel) == [[1, 2, 3]])
        try channel.writeInbound(ByteBuffer(bytes: [8, 7, 6]))
        #expect(try frames(channel) == [[9, 8, 7, 6]])
    }

    @Test("a written request frame goes through the decoder and decodes as the same envelope")
    func roundTrip() throws {
        var buffer = ByteBuffer()
        buffer.writeRequest(id: 42, method: "/rip.v1.AdminService/Health", payload: [1, 2, 3] as [UInt8])
        #expect(buffer.getInteger(at: 0, as: UInt32.self) == UInt32(buffer.readableBytes - 4))
        let channel = try channel()
        try channel.writeInbound(buffer)
        let frame = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(try RipRequest(frame: frame) == .with { $0.id = 42; $0.method = "/rip.v1.AdminService/Health"; $0.payload = Data([1, 2, 3]) })
    }

    @Test("bytes that are not protobuf do not decode as an envelope", arguments: [
        [0xFF, 0xFF, 0xFF], [0x0A], [0x08, 0x80],
    ] as [[UInt8]])
    func garbage(bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try RipRequest(frame: ByteBuffer(bytes: bytes)) }
    }
}
