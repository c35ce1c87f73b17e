import Foundation
import Subprocess
import RipClient
import Synchronization
import Testing

/// What the daemon acknowledged: sessions created, record-request calls per session, and the
/// sessions whose cookie was stored.
final class Acknowledged: Sendable {
    let state = Mutex<[String: UInt64]>([:])
    let cookies = Mutex<Set<String>>([])

    func created(_ name: String) { state.withLock { $0[name] = 0 } }
    func recorded(_ name: String) { state.withLock { $0[name, default: 0] += 1 } }
    func stored(_ name: String) { _ = cookies.withLock { $0.insert(name) } }
}

/// Set once the test kills the daemon: a writer's failed call is expected only after it.
final class KillMark: Sendable {
    private let killed = Atomic(false)
    func mark() { killed.store(true, ordering: .releasing) }
    var isSet: Bool { killed.load(ordering: .acquiring) }
}

@Suite("Durability")
struct DurabilityTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ripd-dur-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every session and counter, for comparing whole states.
    func dump(_ client: RipClient) async throws -> [RipSession] {
        try await client.listSessions().sessions
    }

    /// Every session's cookies, by session name.
    func cookies(_ client: RipClient) async throws -> [String: [RipCookie]] {
        var jars: [String: [RipCookie]] = [:]
        for session in try await dump(client) {
            jars[session.name] = try await client.listCookies(.with { $0.session = session.id }).cookies
        }
        return jars
    }

    @Test("every acknowledged write, cookies included, survives 20 SIGKILLs at random moments under concurrent writers")
    func killLoop() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let acknowledged = Acknowledged()
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
            for name in acknowledged.cookies.withLock({ $0 }) {
                let header = try await client.cookieHeader(.with { $0.session = name; $0.url = "https://www.example.com/" })
                #expect(header.header == "c=\(name); d=\(name)", "\(name) lost its acknowledged cookies after round \(round)")
            }
            let stats = try await client.sessionStats()
            #expect(stats.sessions == UInt64(sessions.count))
            #expect(stats.requestsCount == sessions.values.reduce(0) { $0 + $1.metadata.requestsCount })

            let killed = KillMark()
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
                                _ = try await client.storeResponseCookies(.with {
                                    $0.session = name
                                    $0.url = "https://www.example.com/"
                                    $0.setCookieLines = ["c=\(name); Domain=example.com", "d=\(name); Secure; Max-Age=86400"]
                                })
                                acknowledged.stored(name)
                            } catch {
                                // Only the kill may stop a writer, and only as a lost connection.
                                #expect(killed.isSet, "a call failed before the kill: \(error)")
                                #expect((error as? RipError)?.code == .unavailable, "\(error)")
                                return
                            }
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 40...250)))  // a random moment, not a signal
                killed.mark()
                #expect(try await daemon.stop(signal: SIGKILL) == .signaled(SIGKILL))
                try await group.waitForAll()
            }
        }
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
        let before: [RipSession]
        let cookiesBefore: [String: [RipCookie]]
        let jobsBefore: [RipJob]
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
                            _ = try await client.storeResponseCookies(.with {
                                $0.session = name
                                $0.url = "https://a.example.com/p/q"
                                $0.setCookieLines = ["n=\(n)", "w=\(writer); Domain=example.com; Path=/", "gone=1; Max-Age=0"]
                            })
                            if n % 5 == 0 { _ = try await client.deleteSessions(.with { $0.sessions = [name] }) }
                            try await Self.exerciseJobs(client, writer: writer, n: n)
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await client.useSession(.with { $0.session = "w1-1" })
            before = try await dump(client)
            cookiesBefore = try await cookies(client)
            jobsBefore = try await client.listJobs(.with { $0.limit = 1000 }).jobs
            #expect(try await daemon.stop(signal: SIGTERM) == .exited(0))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("data").path)
        #expect(files.contains { $0.hasPrefix("snapshot-") })
        let daemon = try await Daemon(arguments: arguments, directory: directory)
        let client = try await daemon.client()
        #expect(try await dump(client) == before)
        #expect(try await cookies(client) == cookiesBefore)
        #expect(cookiesBefore.values.allSatisfy { $0.map(\.name) == ["n", "w"] })
        // Health is of the moment it is read (heartbeat age): the rest must match exactly.
        #expect(try await client.listJobs(.with { $0.limit = 1000 }).jobs.map(\.withoutHealth) == jobsBefore.map(\.withoutHealth))
        #expect(Set(jobsBefore.map(\.status)) == [.pending, .running, .completed, .failed, .paused])
        let logs = try await client.getJobLogs(.with { $0.jobID = try #require(jobsBefore.first { $0.status == .completed }).id })
        #expect(logs.entries.map(\.message) == ["working"])
        #expect(try await client.getCurrentSession().name == "w1-1")
        #expect(before.count == 4 * 48)
    }

    /// Every job change a writer can make: submit, claim, log, heartbeat, checkpoint, then
    /// complete, fail, pause or leave running, in turn.
    static func exerciseJobs(_ client: RipClient, writer: Int, n: Int) async throws {
        let job = try await client.submitJob(.with {
            $0.urls = ["https://example.com/\(writer)/\(n)"]
            $0.method = "w\(writer)"
            $0.priority = n % 2 == 0 ? .high : .low
            $0.maxRetries = .init(0)
        })
        guard n % 6 != 5 else { return }  // left pending
        let lease = try #require(try await client.claim(.with { $0.workerID = "w\(writer)"; $0.methods = ["w\(writer)"]; $0.leaseMs = 600_000 }).jobs.first)
        let id = lease.job.id, token = lease.token
        _ = try await client.appendLogs(.with { $0.jobID = id; $0.token = token; $0.entries = [.with { $0.message = "working" }] })
        _ = try await client.heartbeat(.with { $0.jobID = id; $0.token = token; $0.metrics = ["memory_mb": Double(n)] })
        _ = try await client.saveCheckpoint(.with { $0.jobID = id; $0.token = token; $0.data = Data("\(n)".utf8) })
        switch n % 6 {
        case 0, 1: _ = try await client.completeJob(.with { $0.jobID = id; $0.token = token; $0.summary = "ok"; $0.results = [.with { $0.url = lease.job.urls[0]; $0.ok = true; $0.content = Data("page".utf8) }] })
        case 2: _ = try await client.failJob(.with { $0.jobID = id; $0.token = token; $0.error = "broken" })
        case 3: _ = try await client.pauseJob(.with { $0.jobID = id })
        default: break  // left running
        }
        _ = job
    }

    @Test("a flipped byte in an earlier record stops the start; check reports it; --repair recovers up to it")
    func corruptionAndRepair() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        do {
            let daemon = try await Daemon(directory: directory)
            let client = try await daemon.client()
            for i in 1...10 { _ = try await client.createSession(.with { $0.name = "s\(i)" }) }
            #expect(try await daemon.stop() == .exited(0))
        }
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: data.path).first { $0.hasPrefix("wal-") })
        let url = data.appendingPathComponent(segment)
        var bytes = [UInt8](try Data(contentsOf: url))
        // Walk the records (length u32be + crc + body) to the fifth and damage its body.
        var offset = 8
        for _ in 0..<4 { offset += 8 + (Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) }
        bytes[offset + 20] ^= 0x55
        try Data(bytes).write(to: url)

        let socket = directory.appendingPathComponent("run/ripd.sock").path
        let refused = try await Daemon.runToExit(["--socket", socket, "--data-dir", data.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(segment) && refused.stderr.contains("offset \(offset)"))
        let check = try await Daemon.runToExit(["check", "--data-dir", data.path])
        #expect(check.status == 1 && check.stderr.contains("corrupt at offset \(offset)"))

        let repaired = try await Daemon(arguments: ["--repair"], directory: directory)
        #expect(try await repaired.waitForLog("repaired: cut").contains(segment))
        let names = try await repaired.client().listSessions().sessions.map(\.name)
        #expect(names == ["s1", "s2", "s3", "s4"])
        #expect(try await repaired.stop() == .exited(0))
        let clean = try await Daemon.runToExit(["check", "--data-dir", data.path, "--json"])
        #expect(clean.status == 0 && clean.stdout.contains(#""sessions":4"#))
    }

    @Test("ripctl admin snapshot writes a snapshot; wal-info, admin store and status describe the log")
    func adminCommands() async throws {
        let daemon = try await Daemon(arguments: ["--fsync", "everysec"])
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        for i in 1...5 { _ = try await ripctl("session", "new", "--name", "s\(i)") }
        let before = try await ripctl("admin", "wal-info", "--json").json
        #expect(before["fsync_policy"] as? String == "everysec")
        #expect(before["next_sequence"] as? String == "6" && before["records_since_snapshot"] as? String == "5")
        let snapshot = try await ripctl("admin", "snapshot", "--json").json
        #expect(snapshot["last_sequence"] as? String == "5")
        let path = try #require(snapshot["path"] as? String)
        #expect(FileManager.default.fileExists(atPath: path) && path.hasPrefix(daemon.directory.path))
        let after = try await ripctl("admin", "wal-info", "--json").json
        #expect(after["snapshot_sequence"] as? String == "5" && after["records_since_snapshot"] == nil)
        let status = try await ripctl("status").stdout
        #expect(status.contains("fsync:") && status.contains("snapshot:       up to 5"))
        let store = try await ripctl("admin", "store").stdout
        #expect(store.contains("store:") && store.contains("embedded") && store.contains("snapshot:       up to 5"), "\(store)")
    }

    @Test("a second ripd on the same data directory refuses to start")
    func lock() async throws {
        let first = try await Daemon()
        let second = try await Daemon.runToExit([
            "--socket", first.directory.appendingPathComponent("other.sock").path,
            "--data-dir", first.directory.appendingPathComponent("data").path,
        ])
        #expect(second.status != 0)
        #expect(second.stderr.contains("in use by another ripd"))
        #expect(try await first.client().health().status == "SERVING")
    }

    @Test("kill -9 mid-batch: after restart every job is there, each acknowledged completion kept, none completed twice")
    func jobsSurviveAKill() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tally = Acknowledged()  // job id -> completions acknowledged
        var submitted: [String] = []

        /// Workers claiming with short leases and completing until the daemon goes away or
        /// every job is done. A completion refused because the lease ran out first (an
        /// fdatasync slowed by another test's disk load) is no failure: the job comes back.
        func work(_ client: RipClient, until done: @escaping @Sendable () -> Bool) async {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        while !done() {
                            guard
                                let claimed = try? await client.claim(.with {
                                    $0.workerID = "w\(worker)"
                                    $0.leaseMs = 1000
                                    $0.waitMs = 500
                                })
                            else { return }  // the daemon is gone
                            for job in claimed.jobs {
                                do {
                                    _ = try await client.completeJob(.with { $0.jobID = job.job.id; $0.token = job.token })
                                    tally.recorded(job.job.id)
                                } catch let error as RipError where error.code == .failedPrecondition {
                                    continue  // the lease ran out and the job went back to the queue
                                } catch {
                                    return  // the daemon is gone
                                }
                            }
                        }
                    }
                }
            }
        }

        let first = try await Daemon(arguments: ["--fsync", "always"], directory: directory)
        let client = try await first.client()
        for n in 0..<60 {
            // Retries enough that leases running out under load never use a job's attempts up.
            submitted.append(try await client.submitJob(.with {
                $0.urls = ["https://example.com/\(n)"]
                $0.maxRetries = .init(RipLimits.Job.maxRetries)
            }).id)
        }
        async let killer: Void = {
            while tally.state.withLock({ $0.count }) < 20 { try? await Task.sleep(for: .milliseconds(2)) }
            _ = try await first.stop(signal: SIGKILL)
        }()
        await work(client) { false }
        try await killer
        let acknowledgedBeforeKill = tally.state.withLock { Set($0.keys) }
        #expect(acknowledgedBeforeKill.count >= 20 && acknowledgedBeforeKill.count < 60)

        let second = try await Daemon(arguments: ["--fsync", "always"], directory: directory)
        let restarted = try await second.client()
        var jobs = Dictionary(uniqueKeysWithValues: try await restarted.listJobs(.with { $0.limit = 1000 }).jobs.map { ($0.id, $0) })
        #expect(Set(jobs.keys) == Set(submitted), "jobs lost in the kill")
        for id in acknowledgedBeforeKill {
            #expect(jobs[id]?.status == .completed, "acknowledged completion of \(id) lost")
        }
        // Jobs leased when the daemon died come back when their leases run out. A completion the
        // daemon made durable but could not acknowledge before the kill counts as done too.
        let allDone = Atomic(false)
        async let watcher: Void = {
            let deadline = ContinuousClock.now + .seconds(120)  // a hang guard: it ends when all are done
            while ContinuousClock.now < deadline {
                let open = try? await restarted.listJobs(.with {
                    $0.limit = 1000
                    $0.status = [.pending, .scheduled, .running]
                }).jobs.count
                if open == 0 { break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            allDone.store(true, ordering: .relaxed)
        }()
        await work(restarted) { allDone.load(ordering: .relaxed) }
        await watcher
        jobs = Dictionary(uniqueKeysWithValues: try await restarted.listJobs(.with { $0.limit = 1000 }).jobs.map { ($0.id, $0) })
        #expect(jobs.values.allSatisfy { $0.status == .completed }, "not every job completed after the restart")
        #expect(tally.state.withLock { $0.values.allSatisfy { $0 == 1 } }, "a job was completed twice")
    }
}

extension RipJob {
    /// The job without its health, which depends on when it was read.
    fileprivate var withoutHealth: RipJob {
        var job = self
        job.clearHealth()
        return job
    }
}
