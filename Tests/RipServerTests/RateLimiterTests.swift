import RipProto
@testable import RipServer
import Testing

@Suite("Acquire's token buckets on a pinned clock")
struct RateLimiterTests {
    static let fivePerSecond = RipLimit.with {
        $0.key = "example.com"
        $0.rateCount = 5
        $0.ratePeriodMs = 1000
        $0.burst = 5
    }

    @Test("a full bucket grants its burst at once, then one permit per interval; a wait reserves the next")
    func burstThenRate() {
        let limiter = RateLimiter()
        for _ in 0..<5 { #expect(limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 0) == .granted(afterMs: 0)) }
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 0) == .refused(retryAfterMs: 200))
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 199, now: 0) == .refused(retryAfterMs: 200))
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 200, now: 0) == .granted(afterMs: 200))
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 1000, now: 0) == .granted(afterMs: 400), "waiters queue up")
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 450) == .refused(retryAfterMs: 150))
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 600) == .granted(afterMs: 0))
    }

    @Test("in any second at most burst + rate permits are granted, however they are asked for")
    func neverMoreThanBurstPlusRate() {
        let limiter = RateLimiter()
        var granted: [Double] = []
        var now = 0.0
        while now < 10_000 {
            if case .granted(let after) = limiter.reserve(Self.fivePerSecond, waitMs: 0, now: now) {
                #expect(after == 0)
                granted.append(now)
            }
            now += 7
        }
        for start in granted {
            #expect(granted.count { $0 >= start && $0 < start + 1000 } <= 10)
        }
        #expect(granted.count >= 50 && granted.count <= 55, "\(granted.count) permits in 10 s")
    }

    @Test("keys are independent; a bucket forgotten is full again; a burst of 1 is the plain rate")
    func keys() {
        let limiter = RateLimiter()
        var other = Self.fivePerSecond
        other.key = "other.example"
        other.burst = 1
        for _ in 0..<5 { _ = limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 0) }
        #expect(limiter.reserve(other, waitMs: 0, now: 0) == .granted(afterMs: 0))
        #expect(limiter.reserve(other, waitMs: 0, now: 100) == .refused(retryAfterMs: 100))
        limiter.forget("example.com")
        #expect(limiter.reserve(Self.fivePerSecond, waitMs: 0, now: 0) == .granted(afterMs: 0))
    }
}
