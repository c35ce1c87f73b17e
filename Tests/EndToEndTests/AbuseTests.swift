import Foundation
import Synchronization
import Subprocess
import RipClient
import RipProto
import Testing

/// Clients that misbehave on purpose: they pipeline without reading, watch without reading,
/// or open more connections than the daemon serves. Each test asserts the daemon's peak
/// memory stays under 256 MiB with the default limits, that it goes on serving a well-behaved
/// client, and that what it acknowledged is there after a kill -9.
@Suite("Abusive clients")
struct AbuseTests {
    static let memoryBound = 256 << 20

    @Test("a client that pipelines 200,000 calls and never reads is paused, not buffered; it still gets every reply")
    func pipelineWithoutReading() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let raw = try RawConnection(path: daemon.socketPath)
        let calls = 200_000
        var frames: [UInt8] = []
        for id in 1...calls { frames += try RawConnection.request(UInt64(id), "/rip.v1.AdminService/Health") }
        async let writer: Void = onOwnThread { [raw, frames] in raw.send(frames) }
        let session: RipSession
        do {
            try await Daemon.waitForPausedConnections(1, client)
            #expect(try await client.health().status == "SERVING")
            session = try await client.createSession(.with { $0.name = "acknowledged" })
        } catch {
            raw.shutdown()  // or the writer, blocked on a daemon that stopped reading, never returns
            throw error
        }
        let peak = try daemon.peakMemory()
        #expect(peak < Self.memoryBound, "peak RSS \(peak >> 20) MiB")
        print("abuse: 200,000 pipelined calls, never read: ripd peak RSS \(peak >> 20) MiB")

        // Replies are matched by id (on a shared store a read waiting to catch up can be
        // overtaken by one that came later): each id once. Read on a thread of the test's own.
        let (count, wrong) = try await onOwnThread { [raw] () throws -> (Int, String?) in
            var answered = [Bool](repeating: false, count: calls + 1)
            var count = 0
            while count < calls, let response = try raw.receiveBlocking() {
                guard response.code == .ok, (1...UInt64(calls)).contains(response.id), !answered[Int(response.id)] else {
                    raw.shutdown()
                    return (count, "reply \(count + 1): id \(response.id) \(response.code) \(response.message)")
                }
                answered[Int(response.id)] = true
                count += 1
            }
            return (count, nil)
        }
        try await writer
        #expect(wrong == nil)
        #expect(count == calls)
        #expect(try daemon.peakMemory() < Self.memoryBound)

        _ = try await daemon.stop(signal: SIGKILL)
        let restarted = try await Daemon(directory: daemon.directory)
        #expect(try await restarted.client().getSession(.with { $0.session = "acknowledged" }).id == session.id)
    }

    @Test("1,000 watchers that never read: the streams that fall behind end, memory stays bounded")
    func slowWatchers() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        let watchers = try await onOwnThread { [path = daemon.socketPath] in
            try (0..<1000).map { _ in
                let raw = try RawConnection(path: path)
                raw.send(try RawConnection.request(1, "/rip.v1.SessionService/WatchSessions"))
                return raw
            }
        }
        // One more watcher reads as it goes: it keeps up, so it is never ended. Keeping up is
        // made exact: no more than 64 events (about 70 KiB, within what the kernel buffers for
        // the socket) are created ahead of what it read, however slowly a loaded machine runs
        // its thread.
        let reader = try RawConnection(path: daemon.socketPath)
        reader.send(try RawConnection.request(1, "/rip.v1.SessionService/WatchSessions"))
        try await Daemon.waitForStreams(1001, client)
        let events = 1000
        let received = ReadCount()
        async let read = onOwnThread { [reader] in
            while received.value.load(ordering: .relaxed) < events {
                guard let response = try reader.receiveBlocking() else {
                    received.ended.withLock { $0 = "nothing for 10 s, or the connection closed" }
                    break
                }
                guard response.code == .ok, !response.endOfStream else {
                    received.ended.withLock { $0 = "\(response.code): \(response.message)" }
                    break
                }
                received.value.add(1, ordering: .relaxed)
            }
            return received.value.load(ordering: .relaxed)
        }
        // 1,000 sessions of about 1 KiB each: about 1 GiB of events if every watcher kept all.
        let description = String(repeating: "d", count: 1000)
        var created: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)  // a hang guard
        for n in 0..<events {
            while n - received.value.load(ordering: .relaxed) > 64 {
                if let ended = received.ended.withLock({ $0 }) {
                    Issue.record("the watcher that reads was ended after \(received.value.load(ordering: .relaxed)) events: \(ended)")
                    break
                }
                try #require(ContinuousClock.now < deadline, "the reading watcher stopped reading")
                try await Task.sleep(for: .milliseconds(1))
            }
            created.append(try await client.createSession(.with { $0.name = "s\(n)"; $0.description_p = description }).id)
        }
        #expect(try await read == events, "the watcher that reads was ended too")
        let peak = try daemon.peakMemory()
        #expect(peak < Self.memoryBound, "peak RSS \(peak >> 20) MiB")
        let open = try await client.info().streamsOpen
        #expect(open == 1, "the streams that fell behind were not all ended")
        print("abuse: 1,000 watchers never reading, 1,000 events of 1 KiB: ripd peak RSS \(peak >> 20) MiB, \(1001 - open) streams ended")
        #expect(try await client.health().status == "SERVING")
        // A watcher that reads now finds its messages, then the RESOURCE_EXHAUSTED end.
        var last: RipResponse?
        while let response = try await watchers[0].receive() {
            last = response
            if response.endOfStream { break }
        }
        #expect(last?.code == .resourceExhausted && last?.message.contains("watch again") == true)

        _ = try await daemon.stop(signal: SIGKILL)
        let restarted = try await Daemon(directory: daemon.directory)
        let listed = try await restarted.client().listSessions().sessions.map(\.id)
        #expect(Set(listed) == Set(created))
    }

    @Test("10,000 connections: past --max-connections each is refused with RESOURCE_EXHAUSTED; the daemon keeps serving")
    func tooManyConnections() async throws {
        let daemon = try await Daemon(arguments: ["--max-connections", "4096"])
        let client = try await daemon.client()
        // Connected on a thread of the test's own: a connect waits while the daemon's listen
        // backlog is full, which must not hold one of the cooperative pool's two threads (the
        // test takes 4 s alone, over 40 s in a loaded run, and every other test waited meanwhile).
        var connections = try await onOwnThread { [path = daemon.socketPath] in
            try (0..<10_000).map { _ in try RawConnection(path: path) }
        }
        try await Daemon.waitFor("4096 open connections", client) { $0.connectionsOpen == 4096 }
        // The last one was surely refused: it has a status and then the end of the stream.
        let refusal = try #require(try await connections[connections.count - 1].receive())
        #expect(refusal.code == .resourceExhausted && refusal.message.contains("--max-connections"))
        let peak = try daemon.peakMemory()
        #expect(peak < Self.memoryBound, "peak RSS \(peak >> 20) MiB")
        print("abuse: 10,000 connections (4,096 served): ripd peak RSS \(peak >> 20) MiB")
        #expect(try await client.health().status == "SERVING")
        connections.removeAll()
        try await Daemon.waitFor("1 open connection", client) { $0.connectionsOpen == 1 }
        #expect(try await daemon.client().health().status == "SERVING")
    }

    @Test("out of descriptors: connections past what the open-file limit allows are refused; the log rotates and loses nothing")
    func descriptorExhaustion() async throws {
        // 450 descriptors leave 66 for connections beside ripd's reserve for its own files.
        let daemon = try await Daemon(
            arguments: ["--wal-segment-bytes", "4096"], launcher: ["/usr/bin/prlimit", "--nofile=450:450", "--"])
        try await daemon.waitForLog("--max-connections lowered")
        let client = try await daemon.client()
        var flood = try await onOwnThread { [path = daemon.socketPath] in try (0..<300).map { _ in try RawConnection(path: path) } }
        try await Daemon.waitFor("the connections it can serve", client) { $0.connectionsOpen == 66 }
        // Meanwhile every change still reaches the log, which rotates every 4 KiB.
        var names: [String] = []
        for n in 0..<300 { names.append(try await client.createSession(.with { $0.name = "fd\(n)" }).name) }
        let wal = try await client.walInfo()
        #expect(wal.segments > 3, "the log did not rotate: \(wal)")
        flood.removeAll()
        _ = try await daemon.stop(signal: SIGKILL)
        let check = try await Daemon.runToExit(["check", "--data-dir", daemon.directory.appendingPathComponent("data").path])
        #expect(check.status == 0, "\(check.stderr)")
        let restarted = try await Daemon(directory: daemon.directory)
        let listed = try await restarted.client().listSessions().sessions.map(\.name)
        #expect(Set(listed) == Set(names))
    }
}

/// How many events the reading watcher has read, shared with the test that paces on it.
private final class ReadCount: Sendable {
    let value = Atomic(0)
    /// How the stream ended, if it did before every event was read.
    let ended = Mutex<String?>(nil)
}
