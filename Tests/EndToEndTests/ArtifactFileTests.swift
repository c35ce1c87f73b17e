import Foundation
import NIOCore
import RipClient
import RipProto
import Testing

/// The descriptor socket: artifacts moved as file descriptors, through RipClient and through
/// raw frames with whatever a client may send.
@Suite("Artifacts by descriptor")
struct ArtifactFileTests {
    static let put = "/rip.v1.ArtifactFiles/Put"
    static let open = "/rip.v1.ArtifactFiles/Open"

    /// Writes `content` to a new file in `daemon`'s directory and opens it for reading.
    static func file(_ daemon: Daemon, _ name: String, _ content: Data) throws -> Int32 {
        let folder = daemon.directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try content.write(to: URL(fileURLWithPath: path))
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        return descriptor
    }

    /// Every byte of the open file `descriptor` from offset 0.
    static func contents(of descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = pread(descriptor, &buffer, buffer.count, off_t(data.count))
            if count <= 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// One call on a descriptor connection: the response and the descriptor that came with it.
    static func call(
        _ socket: DescriptorSocket, _ method: String, _ payload: some SwiftProtobuf.Message, attaching: Int32? = nil, id: UInt64 = 7
    ) throws -> (response: RipResponse, descriptor: Int32?) {
        var frame = ByteBuffer()
        frame.writeRequest(id: id, method: method, payload: try payload.serializedBytes() as [UInt8])
        try socket.send(frame, attaching: attaching)
        let reply = try #require(try socket.receive(maxBytes: 1 << 24))
        return (try RipResponse(serializedBytes: reply.payload), reply.descriptor)
    }

    /// An Open of an artifact that is not there.
    static let missing = RipOpenArtifactFileRequest.with {
        $0.artifactID = "art_none"
        $0.owner = ArtifactTests.session("mine")
    }

    static func putRequest(_ owner: String, name: String = "f.bin") -> RipPutArtifactFileRequest {
        .with {
            $0.owner = ArtifactTests.session(owner)
            $0.commit = .with { $0.name = name }
        }
    }

    @Test("RipClient puts files by descriptor and opens them read-only (the embedded store); contents round-trip byte for byte")
    func roundTrip() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "crawl" })
        let info = try await client.info()
        #expect(info.descriptorSocket == daemon.socketPath + ".fd")
        for size in [0, 17, 9 * 1024 * 1024 + 5] {
            let content = ArtifactTests.random(size)
            let descriptor = try Self.file(daemon, "in-\(size)", content)
            defer { close(descriptor) }
            lseek(descriptor, 3, SEEK_SET)  // the daemon reads from 0 and leaves the client's offset alone
            let artifact = try await client.putArtifactFile(Self.putRequest("crawl", name: "in-\(size)"), descriptor: descriptor)
            #expect(artifact.size == UInt64(size) && lseek(descriptor, 0, SEEK_CUR) == 3)
            #expect(try await ArtifactTests.download(client, artifact.id, owner: ArtifactTests.session("crawl")) == content)
            let open = RipOpenArtifactFileRequest.with {
                $0.artifactID = artifact.id
                $0.owner = ArtifactTests.session("crawl")
            }
            guard daemon.store == nil else {
                // A shared store keeps contents as rows: there is no file to hand over.
                let error = try await #require(throws: RipError.self) { _ = try await client.openArtifactFile(open) }
                #expect(error.code == .failedPrecondition)
                continue
            }
            let opened = try await client.openArtifactFile(open)
            defer { close(opened.descriptor) }
            #expect(opened.artifact == artifact)
            #expect(Self.contents(of: opened.descriptor) == content, "size \(size)")
            #expect(write(opened.descriptor, "x", 1) == -1, "the descriptor handed out must be read-only")
            _ = try await client.deleteArtifact(.with { $0.artifactID = artifact.id; $0.owner = open.owner })
            #expect(Self.contents(of: opened.descriptor) == content, "readable after the artifact is deleted")
        }
        #expect(try await daemon.keptUploads().isEmpty)
    }

    @Test("the descriptor socket refuses what it cannot serve with a status and leaves nothing behind, descriptors included")
    func refusals() async throws {
        let daemon = try await Daemon(arguments: ["--max-artifact-bytes", "100000", "--compress-over", "1000"])
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "mine" })
        _ = try await client.createSession(.with { $0.name = "theirs" })
        // A connection idle for 10 s is closed: one for each run of calls, as the store's work
        // between them can take that long on a loaded machine.
        let connect = { try DescriptorSocket(connectingTo: daemon.socketPath + ".fd", timeout: .seconds(30)) }
        var socket = try connect()
        let small = try Self.file(daemon, "small", Data("hello".utf8))
        defer { close(small) }

        // No descriptor, a pipe, a write-only file, a bad name, an unknown owner, too many bytes.
        #expect(try Self.call(socket, Self.put, Self.putRequest("mine")).response.code == .invalidArgument)
        var pipeEnds: [Int32] = [0, 0]
        try #require(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        let piped = try Self.call(socket, Self.put, Self.putRequest("mine"), attaching: pipeEnds[0]).response
        #expect(piped.code == .invalidArgument && piped.message.contains("regular file"))
        let writeOnly = Glibc.open(daemon.directory.appendingPathComponent("files/small").path, O_WRONLY | O_CLOEXEC)
        defer { close(writeOnly) }
        let unreadable = try Self.call(socket, Self.put, Self.putRequest("mine"), attaching: writeOnly).response
        #expect(unreadable.code == .invalidArgument && unreadable.message.contains("cannot read"))
        #expect(try Self.call(socket, Self.put, Self.putRequest("mine", name: ""), attaching: small).response.code == .invalidArgument)
        #expect(try Self.call(socket, Self.put, Self.putRequest("nobody"), attaching: small).response.code == .notFound)
        let big = try Self.file(daemon, "big", ArtifactTests.random(100_001))
        defer { close(big) }
        let tooBig = try Self.call(socket, Self.put, Self.putRequest("mine"), attaching: big).response
        #expect(tooBig.code == .resourceExhausted && tooBig.message.contains("100000"))
        var mismatch = Self.putRequest("mine")
        mismatch.commit.expectedSha256 = String(repeating: "0", count: 64)
        #expect(try Self.call(socket, Self.put, mismatch, attaching: small).response.code == .dataLoss)
        #expect(try await daemon.keptUploads().isEmpty)

        // Open: only through the owner, only a plain file (a deflated content is read in ranges).
        socket = try connect()
        let put = try Self.call(socket, Self.put, Self.putRequest("mine"), attaching: small)
        #expect(put.response.code == .ok && put.descriptor == nil)
        let artifact = try RipArtifact(serializedBytes: put.response.payload)
        for owner in ["theirs", "nobody"] {
            let opened = try Self.call(socket, Self.open, RipOpenArtifactFileRequest.with {
                $0.artifactID = artifact.id
                $0.owner = ArtifactTests.session(owner)
            })
            #expect(opened.response.code == .notFound && opened.descriptor == nil)
        }
        let text = Data(String(repeating: "<td>row</td>", count: 1000).utf8)
        let deflated = try await ArtifactTests.upload(client, text, owner: ArtifactTests.session("mine"))
        socket = try connect()
        let openDeflated = try Self.call(socket, Self.open, RipOpenArtifactFileRequest.with {
            $0.artifactID = deflated.id
            $0.owner = ArtifactTests.session("mine")
        })
        // Deflated on the embedded store, rows on a shared one: neither is a file to hand over.
        #expect(openDeflated.response.code == .failedPrecondition && openDeflated.descriptor == nil)
        do {
            let ripctl = Ripctl(socketPath: daemon.socketPath)
            let copy = daemon.directory.appendingPathComponent("files/copy").path
            #expect(try await ripctl("artifact", "get", deflated.id, "--session", "mine", "--output", copy).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == text)
        }

        // Frames: another method, bytes that are no Request (the connection stays usable), then
        // a frame over the limit (answered, then closed).
        socket = try connect()
        #expect(try Self.call(socket, "/rip.v1.SessionService/CreateSession", RipCreateSessionRequest()).response.code == .unimplemented)
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt32(3))
        garbage.writeBytes([0xff, 0xff, 0xff])
        try socket.send(garbage)
        let refused = try RipResponse(serializedBytes: try #require(try socket.receive(maxBytes: 1 << 20)).payload)
        #expect(refused.id == 0 && refused.code == .invalidArgument)
        #expect(try Self.call(socket, Self.put, Self.putRequest("mine", name: "again"), attaching: small).response.code == .ok)
        var oversize = ByteBuffer()
        oversize.writeInteger(UInt32(1 << 30))
        try socket.send(oversize)
        let over = try RipResponse(serializedBytes: try #require(try socket.receive(maxBytes: 1 << 20)).payload)
        #expect(over.id == 0 && over.code == .resourceExhausted)
        #expect(try socket.receive(maxBytes: 1 << 20) == nil)
        _ = try await client.health()
        // No descriptor a call brought in stays open: not the files, not the pipe.
        let pid = Int32(try await client.info().pid)
        var pipeStatus = stat()
        fstat(pipeEnds[0], &pipeStatus)
        let sent = ["/files/", "pipe:[\(pipeStatus.st_ino)]"]
        let released = try await eventually {
            try Self.descriptorTargets(of: pid).allSatisfy { target in !sent.contains { target.contains($0) } }
        }
        let held = try Self.descriptorTargets(of: pid)
        #expect(released, "ripd still holds: \(held)")
    }

    @Test("extremes: the largest call id, invalid UTF-8, a huge name, unknown fields, and a client that never reads its replies")
    func extremes() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "mine" })
        let path = daemon.socketPath + ".fd"
        let small = try Self.file(daemon, "small", Data("hello".utf8))
        defer { close(small) }
        let socket = try DescriptorSocket(connectingTo: path, timeout: .seconds(30))
        let largest = try Self.call(socket, Self.open, Self.missing, id: .max).response
        #expect(largest.id == .max && largest.code == .notFound)
        // PutArtifactFileRequest { commit { name: 0xFF 0xFE } }: not UTF-8, so it does not decode.
        func raw(_ payload: [UInt8]) throws -> RipResponse {
            var frame = ByteBuffer()
            frame.writeRequest(id: 9, method: Self.put, payload: payload)
            try socket.send(frame, attaching: small)
            return try RipResponse(serializedBytes: try #require(try socket.receive(maxBytes: 1 << 20)).payload)
        }
        let invalid = try raw([0x12, 0x04, 0x12, 0x02, 0xFF, 0xFE])
        #expect(invalid.id == 9 && invalid.code == .invalidArgument)
        let huge = try Self.call(socket, Self.put, Self.putRequest("mine", name: String(repeating: "n", count: 100_000)), attaching: small)
        #expect(huge.response.code == .invalidArgument && huge.response.message.utf8.count <= 1024)
        // Field 99, unknown: dropped; the Put goes through.
        var known = try Self.putRequest("mine", name: "known.bin").serializedBytes() as [UInt8]
        known += [0x98, 0x06, 0x01]
        let unknown = try raw(known)
        let recorded = try RipArtifact(serializedBytes: unknown.payload)
        #expect(unknown.code == .ok && recorded.name == "known.bin")

        // 20,000 calls sent and no reply read: once the replies fill the socket, the daemon's
        // send waits out its 10 s and the connection is closed; the daemon serves on.
        let answered = try await onOwnThread { () -> Int in
            let flooder = try DescriptorSocket(connectingTo: path, timeout: .seconds(60))
            var frame = ByteBuffer()
            for id in 1...20_000 { frame.writeRequest(id: UInt64(id), method: Self.open, payload: try Self.missing.serializedBytes() as [UInt8]) }
            try? flooder.send(frame)  // fails once the daemon closed the connection
            // Then whatever the daemon wrote before it closed, up to the end.
            var count = 0
            while (try? flooder.receive(maxBytes: 1 << 20)) != nil { count += 1 }
            return count
        }
        #expect(answered < 20_000, "the daemon answered every call of a client that did not read")
        let next = try DescriptorSocket(connectingTo: path, timeout: .seconds(30))
        #expect(try Self.call(next, Self.open, Self.missing).response.code == .notFound)
        _ = try await client.health()
    }

    @Test("a peer that trickles a frame is closed 10 s after the frame began, and its place serves again")
    func stalledPeer() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "mine" })
        let path = daemon.socketPath + ".fd"
        let trickler = try DescriptorSocket(connectingTo: path, timeout: .seconds(60))
        let started = ContinuousClock.now
        var header = ByteBuffer()
        header.writeInteger(UInt32(100))
        try trickler.send(header)
        var closed = false
        // Then one byte of its 100 every 3 s: each arrives well within a receive's wait, but the
        // frame never completes; the daemon closes the connection at the frame's deadline.
        for _ in 0..<12 where !closed {
            var byte = ByteBuffer()
            byte.writeInteger(UInt8(1))
            do { try trickler.send(byte) } catch { closed = true }
            try await Task.sleep(for: .seconds(3))
            closed = closed || trickler.peerClosed
        }
        #expect(closed, "the daemon still served a frame begun \(ContinuousClock.now - started) ago")
        // 10 s on a quiet machine; a loaded one delays the daemon's thread and this loop. The
        // frame itself would take 300 s to arrive at this pace.
        #expect(ContinuousClock.now - started < .seconds(40))
        let next = try DescriptorSocket(connectingTo: path, timeout: .seconds(30))
        #expect(try Self.call(next, Self.open, Self.missing).response.code == .notFound)
    }

    @Test("where the descriptor socket cannot be served (something else at its path), ripctl moves artifacts in chunks")
    func noDescriptorSocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-nofd-\(UUID().uuidString.prefix(8))")
        let socketPath = directory.appendingPathComponent("run/ripd.sock").path
        try FileManager.default.createDirectory(atPath: socketPath + ".fd", withIntermediateDirectories: true)
        let daemon = try await Daemon(socketPath: socketPath, directory: directory)
        let client = try await daemon.client()
        #expect(try await client.info().descriptorSocket == "")
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        #expect(try await ripctl("session", "new", "--name", "crawl").status == 0)
        let content = ArtifactTests.random(5 * 1024 * 1024 + 3)
        let source = directory.appendingPathComponent("in.bin"), copy = directory.appendingPathComponent("out.bin")
        try content.write(to: source)
        let put = try await ripctl("artifact", "put", "--session", "crawl", "--file", source.path, "--json")
        #expect(put.status == 0, "\(put.stderr)")
        let id = try #require(put.json["id"] as? String)
        let get = try await ripctl("artifact", "get", id, "--session", "crawl", "--output", copy.path)
        #expect(get.status == 0, "\(get.stderr)")
        #expect(try Data(contentsOf: copy) == content)
        let error = try await #require(throws: RipError.self) {
            _ = try await client.openArtifactFile(.with { $0.artifactID = id; $0.owner = ArtifactTests.session("crawl") })
        }
        #expect(error.code == .failedPrecondition)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("the descriptor socket serves eight connections at once and refuses the ninth until one closes")
    func connectionLimit() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "mine" })
        let path = daemon.socketPath + ".fd"
        var held = try (0..<8).map { _ in try DescriptorSocket(connectingTo: path, timeout: .seconds(30)) }
        // Served: each answers a call.
        for socket in held {
            #expect(try Self.call(socket, Self.open, Self.missing).response.code == .notFound)
        }
        let ninth = try DescriptorSocket(connectingTo: path, timeout: .seconds(30))
        let refused = try RipResponse(serializedBytes: try #require(try ninth.receive(maxBytes: 1 << 20)).payload)
        #expect(refused.id == 0 && refused.code == .resourceExhausted)
        held.removeLast()
        // The daemon notices the close when its thread for that connection reads the end.
        let again = try await eventually {
            let socket = try DescriptorSocket(connectingTo: path, timeout: .seconds(30))
            return try Self.call(socket, Self.open, Self.missing).response.code == .notFound
        }
        #expect(again)
    }

    /// What the process `pid` has open: paths, and pipes and sockets by inode.
    static func descriptorTargets(of pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").map {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) ?? "?"
        }
    }

    /// Retries `attempt` (each try a fresh one) until it returns true, for up to 10 s.
    private func eventually(_ attempt: () throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if (try? attempt()) == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
