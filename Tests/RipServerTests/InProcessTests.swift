import Foundation
import RipCore
import RipProto
import RipTesting
import SwiftProtobuf
import Testing

/// The connection handler and method table driven in process: no daemon, no socket.
@Suite("Request path in process")
struct InProcessTests {
    static func frame(_ id: UInt64, _ method: String, _ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        try InProcessDaemon.frame(id: id, method: method, payload: message.serializedBytes())
    }

    @Test("pipelined calls are all answered by id; changes replay to the same state")
    func pipelining() throws {
        let daemon = try InProcessDaemon()
        var bytes: [UInt8] = []
        for n in 1...20 {
            bytes += try Self.frame(UInt64(n), RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "s\(n)" })
        }
        bytes += try Self.frame(21, RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "s1" })
        bytes += try Self.frame(22, "/rip.v1.Nope/Nope", RipHealthRequest())
        let responses = try daemon.send(bytes)
        #expect(responses.map(\.id) == Array(1...22))
        #expect(responses.prefix(20).allSatisfy { $0.code == .ok && $0.endOfStream })
        #expect(responses[20].code == .alreadyExists && responses[21].code == .unimplemented)
        #expect(try daemon.replayMismatch() == nil)
    }

    @Test("a stream sends its events after the call that made them, and a unary call on its id is refused")
    func streams() throws {
        let daemon = try InProcessDaemon()
        var responses = try daemon.send(try Self.frame(7, RipSessionService.watchSessions.path, RipWatchSessionsRequest()))
        #expect(responses.isEmpty)
        responses = try daemon.send(
            try Self.frame(7, RipAdminService.health.path, RipHealthRequest())
                + Self.frame(8, RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "w" }))
        #expect(responses.map(\.id) == [7, 8, 7])
        #expect(responses[0].code == .invalidArgument && responses[0].endOfStream)
        #expect(try RipSessionEvent(serializedBytes: responses[2].payload).session.name == "w" && !responses[2].endOfStream)
        responses = try daemon.send(try InProcessDaemon.frame(id: 7, method: "", payload: []).cancelled)
        #expect(responses.count == 1 && responses[0].code == .cancelled && responses[0].endOfStream)
    }
}

extension Array where Element == UInt8 {
    /// This request frame turned into a cancel of its id.
    var cancelled: [UInt8] {
        get throws {
            var request = try RipRequest(serializedBytes: Array(dropFirst(4)))
            request.cancel = true
            let body: [UInt8] = try request.serializedBytes()
            let n = UInt32(body.count)
            return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
        }
    }
}
