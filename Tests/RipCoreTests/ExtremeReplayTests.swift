import Foundation
import RipCore
import RipProto
import RipBase
import SwiftProtobuf
import Testing

/// A deterministic generator (SplitMix64), so a failure names the seed that reproduces it.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random requests with the numbers a hostile client picks, applied through `RipState.apply`
/// and then replayed into a fresh state: no trap, and the same state.
@Suite("Extreme values replay")
struct ExtremeReplayTests {
    struct Extremes {
        var random: SplitMix

        mutating func uint64() -> UInt64 {
            [0, 1, UInt64(UInt32.max), 1 << 53, (1 << 53) + 1, 1 << 62, UInt64(Int64.max), .max, random.next() >> 20]
                .randomElement(using: &random)!
        }

        mutating func uint32() -> UInt32 { [0, 1, 100, UInt32.max, UInt32(truncatingIfNeeded: random.next())].randomElement(using: &random)! }

        mutating func seconds() -> Int64 {
            [0, -1, 1 << 62, -(1 << 62), .max, .min, 253_402_300_799, -62_135_596_800, 1_800_000_000]
                .randomElement(using: &random)!
        }

        mutating func timestamp() -> Google_Protobuf_Timestamp {
            .init(seconds: seconds(), nanos: [0, -1, 999_999_999, 1_000_000_000, .max, .min].randomElement(using: &random)!)
        }

        mutating func name() -> String { ["a", "b", "c", "x\u{301}", String(repeating: "n", count: 129)].randomElement(using: &random)! }
    }

    @Test("every session, cookie and job change with extreme numbers applies or is refused, and replays to the same state",
          arguments: [1, 2, 3, 4] as [UInt64])
    func extremeChangesReplay(seed: UInt64) throws {
        var values = Extremes(random: SplitMix(state: seed))
        var state = RipState()
        var log: [RipMutation] = []
        var now: UnixMillis = 1_800_000_000_000
        for step in 0..<3000 {
            now += Int64(values.random.next() % 120_000)
            var mutation = RipMutation()
            mutation.timeUnixMs = now
            mutation.sessionLimit = .with { $0.maxSessions = 50; $0.evictLru = values.random.next() % 2 == 0 }
            mutation.newSessionID = RipID.session.generate()
            switch values.random.next() % 9 {
            case 0: mutation.createSession = .with { $0.name = values.name(); $0.timeoutMinutes = values.uint64() }
            case 1:
                mutation.importSession = .with {
                    $0.overwrite = values.random.next() % 2 == 0
                    $0.session = .with {
                        $0.name = values.name()
                        $0.timeoutMinutes = values.uint64()
                        if values.random.next() % 2 == 0 { $0.createdAt = values.timestamp() }
                        if values.random.next() % 2 == 0 { $0.expiresAt = values.timestamp() }
                        if values.random.next() % 2 == 0 { $0.lastUsedAt = values.timestamp() }
                        $0.metadata = .with {
                            $0.requestsCount = values.uint64()
                            $0.successCount = values.uint64()
                            $0.errorCount = values.uint64()
                        }
                    }
                }
            case 2: mutation.extendSession = .with { $0.session = values.name(); $0.minutes = values.uint64() }
            case 3:
                mutation.recordRequest = .with {
                    $0.session = values.name()
                    $0.url = "https://example.com/"
                    $0.success = values.random.next() % 2 == 0
                }
            case 4: mutation.updateSession = .with { $0.session = values.name(); $0.timeoutMinutes = .init(values.uint64()) }
            case 5: mutation.cleanupSessions = .init()
            case 6:
                mutation.useSession = .with { $0.session = values.name(); $0.create = values.random.next() % 2 == 0 }
            case 7:
                let request = RipSubmitJobRequest.with {
                    $0.urls = ["https://example.com/\(step)"]
                    if values.random.next() % 2 == 0 { $0.runAt = values.timestamp() } else { $0.delayMs = values.uint64() }
                    $0.timeoutSeconds = values.uint32()
                }
                guard (try? JobRules.validate(request, webhooks: WebhookPolicy(), now: now)) != nil else { continue }
                mutation.submitJob = JobRules.makeJob(request, id: "job_\(step)", sessionID: "", now: now)
            default:
                let cookie = RipCookie.with {
                    $0.name = "c"
                    $0.value = "v"
                    $0.domain = "example.com"
                    $0.path = "/"
                    if values.random.next() % 2 == 0 { $0.expires = values.timestamp() }
                    if values.random.next() % 2 == 0 { $0.createdAt = values.timestamp() }
                }
                guard let sessionID = try? state.sessions.id(of: values.name()) else { continue }
                // What SetCookie logs: the jar's steps, after the same validation.
                var scratch = state
                guard let (change, _) = try? scratch.setCookie(
                    .with { $0.session = sessionID; $0.cookie = cookie }, policy: CookiePolicy(), now: now),
                    let change
                else { continue }
                mutation = change
                mutation.timeUnixMs = now
            }
            if (try? state.apply(mutation)) != nil { log.append(mutation) }
            // What the sweepers and reads do with whatever was stored.
            _ = state.sessions.expired(at: now)
            _ = try state.sessions.stats(.init(), now: now)
            _ = try state.sessions.list(.init(), now: now)
        }
        #expect(log.count > 500, "too few changes were accepted to mean anything: \(log.count)")
        var replayed = RipState()
        for mutation in log { _ = try replayed.apply(mutation) }
        #expect(replayed.snapshot(lastSequence: 1) == state.snapshot(lastSequence: 1))
        let restored = RipState(snapshot: state.snapshot(lastSequence: 1))
        #expect(restored.snapshot(lastSequence: 1) == state.snapshot(lastSequence: 1))
    }
}
