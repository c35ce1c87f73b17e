import Foundation
import RipClient
import RipProto
import SwiftProtobuf
import Testing

@Suite("Protocol over a real socket")
struct ProtocolTests {
    let health = "/rip.v1.AdminService/Health"

    @Test("garbage gets INVALID_ARGUMENT and the connection keeps serving")
    func garbageKeepsConnection() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        raw.send(RawConnection.frame([0xFF, 0xFF, 0xFF]))
        let error = try #require(try await raw.receive())
        #expect(error.id == 0 && error.code == .invalidArgument && error.endOfStream)
        raw.send(try RawConnection.request(7, health))
        let reply = try #require(try await raw.receive())
        #expect(reply.id == 7 && reply.code == .ok)
        #expect(try RipHealthResponse(serializedBytes: reply.payload).status == "SERVING")
    }

    @Test("a declared length over --max-frame-bytes gets RESOURCE_EXHAUSTED, then the connection closes")
    func oversizeCloses() async throws {
        let daemon = try await Daemon(arguments: ["--max-frame-bytes", "1024"])
        let raw = try RawConnection(path: daemon.socketPath)
        raw.send([0, 0, 0x04, 0x01])  // 1025 bytes declared
        let error = try #require(try await raw.receive())
        #expect(error.code == .resourceExhausted)
        #expect(error.message.contains("1025") && error.message.contains("1024"))
        #expect(try await raw.receive() == nil)
        let client = try await daemon.client()
        #expect(try await client.health().status == "SERVING")
    }

    @Test("a frame written one byte at a time is served; a zero-length frame names no method")
    func splitAndEmptyFrames() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        for byte in try RawConnection.request(3, health) { raw.send([byte]) }
        #expect(try await raw.receive()?.code == .ok)
        raw.send(RawConnection.frame([]))
        let empty = try #require(try await raw.receive())
        #expect(empty.code == .unimplemented && empty.message.contains("names no method"))
    }

    @Test("unknown methods are UNIMPLEMENTED; undecodable payloads INVALID_ARGUMENT")
    func unknownMethodAndBadPayload() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let unknown = await #expect(throws: RipError.self) {
            _ = try await client.callRaw(path: "/rip.v1.Nope/Nothing", payload: Data())
        }
        #expect(unknown?.code == .unimplemented)
        let bad = await #expect(throws: RipError.self) {
            _ = try await client.callRaw(path: "/rip.v1.SessionService/GetSession", payload: Data([0xFF, 0xFF]))
        }
        #expect(bad?.code == .invalidArgument)
        #expect(try await client.health().status == "SERVING")
    }

    @Test("1,000 concurrent calls on one connection all complete, matched by id")
    func pipelining() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let names = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for i in 0..<1000 {
                group.addTask {
                    let name = "p\(i)"
                    return (name, try await client.createSession(.with { $0.name = name }).name)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(names.count == 1000)
        #expect(names.allSatisfy { $0.key == $0.value })
        #expect(try await client.listSessions().sessions.count == 1000)
        let info = try await client.info()
        #expect(info.connectionsOpen == 1 && info.sessions == 1000)
    }

    @Test("pipelined raw requests get one response each, ids echoed")
    func rawPipelining() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        raw.send((1...200).flatMap { try! RawConnection.request(UInt64($0), health) })
        var ids: Set<UInt64> = []
        for _ in 1...200 { ids.insert(try #require(try await raw.receive()).id) }
        #expect(ids == Set(1...200))
    }

    @Test("WatchSessions streams changes in order; cancelling ends it on the daemon")
    func watchAndCancel() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let stream = try await client.watchSessions()
        var events = stream.makeAsyncIterator()
        // The watch is registered once a later call on the same connection returns.
        _ = try await client.health()
        _ = try await client.createSession(.with { $0.name = "w" })
        _ = try await client.addHeaders(.with { $0.session = "w"; $0.headers = ["X-A": "1"] })
        _ = try await client.deleteSessions(.with { $0.sessions = ["w"] })
        var kinds: [RipSessionEvent.Kind] = []
        for _ in 0..<3 { kinds.append(try #require(try await events.next()).kind) }
        #expect(kinds == [.created, .updated, .deleted])

        let raw = try RawConnection(path: daemon.socketPath)
        raw.send(try RawConnection.request(9, "/rip.v1.SessionService/WatchSessions"))
        raw.send(try RawConnection.request(10, health))
        #expect(try await raw.receive()?.id == 10)
        _ = try await client.createSession(.with { $0.name = "x" })
        let event = try #require(try await raw.receive())
        #expect(event.id == 9 && !event.endOfStream)
        #expect(try RipSessionEvent(serializedBytes: event.payload).session.name == "x")
        raw.send(try RawConnection.request(9, "", cancel: true))
        let end = try #require(try await raw.receive())
        #expect(end.id == 9 && end.code == .cancelled && end.endOfStream)
        _ = try await client.createSession(.with { $0.name = "y" })
        raw.send(try RawConnection.request(11, health))
        #expect(try await raw.receive()?.id == 11)  // no event for "y" arrived before it
        stream.cancel()
        var drained = 0
        while try await events.next() != nil { drained += 1 }  // already received: "x" and "y"
        #expect(drained == 2)
    }

    @Test("reflection returns the descriptor set of every service")
    func reflection() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let set = try Google_Protobuf_FileDescriptorSet(
            serializedBytes: try await client.getDescriptorSet().fileDescriptorSet)
        let services = Set(set.file.flatMap { $0.service.map(\.name) })
        #expect(services.isSuperset(of: ["SessionService", "AdminService"]))
        let paths = Set(set.file.flatMap { file in
            file.service.flatMap { service in service.method.map { "/\(file.package).\(service.name)/\($0.name)" } }
        })
        #expect(paths == Set(RipCatalog.methods.map(\.path)))
    }
}
