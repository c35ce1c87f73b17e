import Foundation
import Subprocess
import RipClient
import RipProto
import SwiftProtobuf
import Testing

/// Requests a client may send but no rule allows: each gets a clear status, the daemon keeps
/// serving, and what it acknowledged replays after a kill -9.
@Suite("Hostile input")
struct HostileInputTests {
    static let extremeSeconds: [Int64] = [1 << 62, -(1 << 62), .max, .min, 253_402_300_800, -62_135_596_801]

    /// Expects `call` to fail with `code`; returns the message.
    @discardableResult
    static func expect(
        _ code: RipStatusCode, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ call: () async throws -> Void
    ) async -> String {
        do {
            try await call()
            Issue.record("\(what) was accepted", sourceLocation: sourceLocation)
        } catch let error as RipError {
            #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
            #expect(error.message.utf8.count <= 1024, "\(what): a message of \(error.message.utf8.count) bytes", sourceLocation: sourceLocation)
            return error.message
        } catch {
            Issue.record("\(what): \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }

    @Test("extreme numbers in every time, duration and counter field get INVALID_ARGUMENT; nothing traps, before or after a restart")
    func extremeNumbers() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })

        for minutes: UInt64 in [1 << 48, .max, 10 * 366 * 24 * 60 + 1] {
            await Self.expect(.invalidArgument, "timeout_minutes \(minutes)") {
                _ = try await client.createSession(.with { $0.name = "t\(minutes)"; $0.timeoutMinutes = minutes })
            }
            await Self.expect(.invalidArgument, "imported timeout_minutes \(minutes)") {
                _ = try await client.importSession(.with { $0.session = .with { $0.name = "i\(minutes)"; $0.timeoutMinutes = minutes } })
            }
        }
        for seconds in Self.extremeSeconds {
            let time = Google_Protobuf_Timestamp(seconds: seconds, nanos: 0)
            let message = await Self.expect(.invalidArgument, "run_at \(seconds)") {
                _ = try await client.submitJob(.with { $0.urls = ["https://example.com/"]; $0.runAt = time })
            }
            #expect(message.contains("run_at") && message.contains("9999-12-31"))
            await Self.expect(.invalidArgument, "cookie expires \(seconds)") {
                _ = try await client.setCookie(.with {
                    $0.session = "s"
                    $0.cookie = .with { $0.name = "a"; $0.value = "b"; $0.domain = "example.com"; $0.path = "/"; $0.expires = time }
                })
            }
            let imported = try await client.importCookies(.with {
                $0.session = "s"
                $0.cookies = [.with { $0.name = "a"; $0.value = "b"; $0.domain = "example.com"; $0.createdAt = time }]
            })
            #expect(imported.outcomes.first?.rejection.contains("created_at") == true)
            for (field, session) in [
                ("expires_at", RipSession.with { $0.name = "e"; $0.createdAt = .init(seconds: 1); $0.expiresAt = time }),
                ("created_at", .with { $0.name = "c"; $0.createdAt = time }),
                ("last_used_at", .with { $0.name = "l"; $0.createdAt = .init(seconds: 1); $0.lastUsedAt = time }),
            ] {
                await Self.expect(.invalidArgument, "imported \(field) \(seconds)") {
                    _ = try await client.importSession(.with { $0.session = session })
                }
            }
            await Self.expect(.invalidArgument, "created_after \(seconds)") {
                _ = try await client.queryArtifacts(.with { $0.owner.session = "s"; $0.createdAfter = time })
            }
        }
        await Self.expect(.invalidArgument, "nanos out of range") {
            _ = try await client.submitJob(.with { $0.urls = ["https://example.com/"]; $0.runAt = .init(seconds: 1, nanos: -1) })
        }
        await Self.expect(.invalidArgument, "imported requests_count 2^64-1") {
            _ = try await client.importSession(.with { $0.session = .with { $0.name = "n"; $0.metadata.requestsCount = .max } })
        }

        // Counters at the import limit, then recorded past it: they saturate, never wrap or trap.
        let counted = try await client.importSession(.with {
            $0.session = .with { $0.name = "counted"; $0.metadata.requestsCount = 1 << 53; $0.metadata.successCount = 1 << 53 }
        })
        #expect(counted.metadata.requestsCount == 1 << 53)
        let recorded = try await client.recordRequest(.with { $0.session = "counted"; $0.url = "https://example.com/"; $0.success = true })
        #expect(recorded.metadata.requestsCount == (1 << 53) + 1)

        // Extensions add up, but stop ten years ahead.
        let extended = try await client.createSession(.with { $0.name = "x"; $0.timeoutMinutes = 1 })
        for _ in 0..<3 { _ = try await client.extendSession(.with { $0.session = "x"; $0.minutes = 10 * 366 * 24 * 60 }) }
        let shown = try await client.getSession(.with { $0.session = "x" })
        #expect(shown.expiresAt.seconds <= extended.createdAt.seconds + 10 * 366 * 24 * 3600 + 60)

        // A worker's progress of 2^32-1 plus 1, and a log sequence of 2^64-1.
        let job = try await client.submitJob(.with { $0.urls = ["https://example.com/"] })
        let lease = try #require(try await client.claim(.with { $0.workerID = "w" }).jobs.first)
        _ = try await client.appendLogs(.with { $0.jobID = job.id; $0.token = lease.token; $0.entries = [.with { $0.message = "m" }] })
        let beat = try await client.heartbeat(.with {
            $0.jobID = job.id
            $0.token = lease.token
            $0.progress = .with { $0.completed = .max; $0.failed = 1 }
        })
        #expect(!beat.cancelRequested)
        #expect(try await client.getJob(.with { $0.jobID = job.id }).progress.percentage == 100)
        let watch = try await client.watchJob(.with { $0.jobID = job.id; $0.logsFromSeq = .max })
        var iterator = watch.makeAsyncIterator()
        #expect(try await iterator.next()?.kind == .current)

        // Everything acknowledged replays after kill -9, and the daemon starts.
        _ = try await daemon.stop(signal: SIGKILL)
        let restarted = try await Daemon(directory: daemon.directory)
        let again = try await restarted.client()
        #expect(try await again.getSession(.with { $0.session = "counted" }).metadata.requestsCount == (1 << 53) + 1)
        #expect(try await again.getJob(.with { $0.jobID = job.id }).progress.completed == .max)
    }

    @Test("huge strings and lists get INVALID_ARGUMENT quickly, with messages of at most 1 KiB")
    func hugeStrings() async throws {
        let daemon = try await Daemon()
        let client = try await daemon.client()
        _ = try await client.createSession(.with { $0.name = "s" })
        let mib = String(repeating: "a", count: 1 << 20)
        let message = await Self.expect(.notFound, "a 1 MiB session name") {
            _ = try await client.getSession(.with { $0.session = mib })
        }
        #expect(message.hasSuffix("…"))
        // 100,000 labels: the cookie rules would copy every parent domain.
        let host = Array(repeating: "a", count: 100_000).joined(separator: ".")
        await Self.expect(.invalidArgument, "a 100,000-label host") {
            _ = try await client.cookieHeader(.with { $0.session = "s"; $0.url = "https://\(host)/" })
        }
        await Self.expect(.invalidArgument, "a 63-byte label too long") {
            _ = try await client.cookieHeader(.with { $0.session = "s"; $0.url = "https://\(String(repeating: "b", count: 64)).example/" })
        }
        await Self.expect(.invalidArgument, "a 10 MB glob") {
            _ = try await client.queryArtifacts(.with { $0.owner.session = "s"; $0.nameGlob = String(repeating: "*a", count: 5_000_000) })
        }
        await Self.expect(.invalidArgument, "a million combining marks as one character") {
            _ = try await client.createSession(.with { $0.name = "e" + String(repeating: "\u{301}", count: 1_000_000) })
        }
        await Self.expect(.invalidArgument, "10,000 claim methods") {
            _ = try await client.claim(.with { $0.workerID = "w"; $0.methods = Array(repeating: "css", count: 10_000) })
        }
        await Self.expect(.invalidArgument, "a 4 KiB cookie path") {
            _ = try await client.setCookie(.with {
                $0.session = "s"
                $0.cookie = .with { $0.name = "a"; $0.value = "b"; $0.domain = "example.com"; $0.path = "/" + String(repeating: "p", count: 4096) }
            })
        }
        await Self.expect(.invalidArgument, "1,001 sessions to delete") {
            _ = try await client.deleteSessions(.with { $0.sessions = (0...1000).map { "s\($0)" } })
        }
        await Self.expect(.invalidArgument, "17 statuses in a filter") {
            _ = try await client.listJobs(.with { $0.status = Array(repeating: .pending, count: 17) })
        }
        await Self.expect(.invalidArgument, "10,000 Set-Cookie lines") {
            _ = try await client.storeResponseCookies(.with {
                $0.session = "s"
                $0.url = "https://example.com/"
                $0.setCookieLines = Array(repeating: "a=b", count: 10_000)
            })
        }
        #expect(try await client.health().status == "SERVING")
        let peak = try daemon.peakMemory()
        #expect(peak < 256 << 20, "peak RSS \(peak >> 20) MiB")
        print("abuse: 100,000-label host, 10 MB glob, 1 MiB names and the rest: ripd peak RSS \(peak >> 20) MiB")
    }

    @Test("a unary call sent with the id of an open stream gets INVALID_ARGUMENT; the stream lives on")
    func unaryOnAStreamID() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        raw.send(try RawConnection.request(5, "/rip.v1.SessionService/WatchSessions"))
        let client = try await daemon.client()
        try await Daemon.waitForStreams(1, client)
        raw.send(try RawConnection.request(5, "/rip.v1.AdminService/Health"))
        let refused = try #require(try await raw.receive())
        #expect(refused.id == 5 && refused.code == .invalidArgument && refused.message.contains("in flight"))
        _ = try await client.createSession(.with { $0.name = "after" })
        let event = try #require(try await raw.receive())
        #expect(event.id == 5 && event.code == .ok && !event.endOfStream)
        #expect(try RipSessionEvent(serializedBytes: event.payload).session.name == "after")
    }

    @Test("a string field of invalid UTF-8 is INVALID_ARGUMENT and the connection keeps serving")
    func invalidUTF8() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        raw.send(try RawConnection.request(1, "/rip.v1.SessionService/CreateSession", [0x0A, 0x02, 0xFF, 0xFE]))  // name = FF FE
        let refused = try #require(try await raw.receive())
        #expect(refused.id == 1 && refused.code == .invalidArgument && refused.message.contains("does not decode"))
        raw.send(try RawConnection.request(2, "/rip.v1.AdminService/Health"))
        #expect(try await raw.receive()?.code == .ok)
        #expect(try await daemon.client().listSessions().sessions.isEmpty)
    }

    @Test("unknown fields are dropped, not stored")
    func unknownFields() async throws {
        let daemon = try await Daemon()
        let raw = try RawConnection(path: daemon.socketPath)
        var payload: [UInt8] = try RipCreateSessionRequest.with { $0.name = "u" }.serializedBytes()
        payload += [0xFA, 0x3E, 0x03, 0x61, 0x62, 0x63]  // field 1007, length-delimited "abc"
        raw.send(try RawConnection.request(1, "/rip.v1.SessionService/CreateSession", payload))
        let reply = try #require(try await raw.receive())
        #expect(reply.code == .ok)
        #expect(try RipSession(serializedBytes: reply.payload).unknownFields.data.isEmpty)
    }
}
