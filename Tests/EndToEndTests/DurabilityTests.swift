import Foundation
import RipClient
import Synchronization
import Testing

/// What the daemon acknowledged: sessions created, and record-request calls per session.
final class Acknowledged: Sendable {
    let state = Mutex<[String: UInt64]>([:])

    func created(_ name: String) { state.withLock { $0[name] = 0 } }
    func recorded(_ name: String) { state.withLock { $0[name, default: 0] += 1 } }
}

@Suite("Durability")
struct DurabilityTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-dur-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every session and counter, for comparing whole states.
    func dump(_ client: RipClient) async throws -> [Rip_V1_Session] {
        try await client.listSessions().sessions
    }

    @Test("every acknowledged write survives 20 SIGKILLs at random moments under concurrent writers")
    func killLoop() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let acknowledged = Acknowledged()
        var rounds = 0
        for round in 0..<20 {
            let daemon = try await Daemon(
                arguments: ["--wal-segment-bytes", "16384", "--snapshot-after-bytes", "32768"], directory: directory)
            let client = try await daemon.client()

            let sessions = Dictionary(uniqueKeysWithValues: try await dump(client).map { ($0.name, $0) })
            for (name, requests) in acknowledged.state.withLock({ $0 }) {
                let session = try #require(sessions[name], "acknowledged session \(name) lost after round \(round)")
                #expect(session.metadata.requestsCount >= requests, "\(name) lost acknowledged requests")
            }
            for session in sessions.values {
                #expect(session.metadata.requestsCount == session.metadata.successCount + session.metadata.errorCount)
            }
            let stats = try await client.sessionStats()
            #expect(stats.sessions == UInt64(sessions.count))
            #expect(stats.requestsCount == sessions.values.reduce(0) { $0 + $1.metadata.requestsCount })

            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for n in 0... {
                            let name = "r\(round)-w\(writer)-\(n)"
                            do {
                                _ = try await client.createSession(.with { $0.name = name })
                                acknowledged.created(name)
                                _ = try await client.recordRequest(.with {
                                    $0.session = name
                                    $0.url = "https://example.com/\(n)"
                                    $0.success = n % 3 != 0
                                })
                                acknowledged.recorded(name)
                            } catch {
                                return  // the daemon was killed
                            }
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 40...250)))
                #expect(daemon.stop(signal: SIGKILL) == SIGKILL)
                try await group.waitForAll()
            }
            rounds += 1
        }
        #expect(rounds == 20)
        #expect(acknowledged.state.withLock { $0.count } > 100)
        let final = try await Daemon(directory: directory)
        let names = Set(try await dump(final.client()).map(\.name))
        #expect(names.isSuperset(of: acknowledged.state.withLock { Set($0.keys) }))
    }

    @Test("a restart gives exactly the state before it, with snapshots and rotation under load", arguments: [
        "always", "everysec", "never",
    ])
    func restart(fsync: String) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["--fsync", fsync, "--wal-segment-bytes", "8192", "--snapshot-after-bytes", "16384"]
        let before: [Rip_V1_Session]
        do {
            let daemon = try await Daemon(arguments: arguments, directory: directory)
            let client = try await daemon.client()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for n in 0..<60 {
                            let name = "w\(writer)-\(n)"
                            _ = try await client.createSession(.with { $0.name = name; $0.tags = ["w\(writer)"] })
                            _ = try await client.addHeaders(.with { $0.session = name; $0.headers = ["X-N": "\(n)"] })
                            if n % 5 == 0 { _ = try await client.deleteSessions(.with { $0.sessions = [name] }) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await client.useSession(.with { $0.session = "w1-1" })
            before = try await dump(client)
            #expect(daemon.stop(signal: SIGTERM) == 0)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("data").path)
        #expect(files.contains { $0.hasPrefix("snapshot-") })
        let daemon = try await Daemon(arguments: arguments, directory: directory)
        let client = try await daemon.client()
        #expect(try await dump(client) == before)
        #expect(try await client.getCurrentSession().name == "w1-1")
        #expect(before.count == 4 * 48)
    }

    @Test("a second ripd on the same data directory refuses to start")
    func lock() async throws {
        let first = try await Daemon()
        let second = Process()
        second.executableURL = Daemon.binaries.appendingPathComponent("ripd")
        second.arguments = [
            "--socket", first.directory.appendingPathComponent("other.sock").path,
            "--data-dir", first.directory.appendingPathComponent("data").path,
        ]
        let err = Pipe()
        second.standardError = err
        try second.run()
        second.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus != 0)
        #expect(message.contains("in use by another ripd"))
        #expect(try await first.client().health().status == "SERVING")
    }
}
