import NIOCore
import RipProto
import Synchronization

/// The token buckets of `JobService/Acquire`, one per limited key, as the generic cell rate
/// algorithm: each key keeps the time its next permit is due if taken at the steady rate, and a
/// permit may be taken up to `burst − 1` intervals before that. In memory only: permits are not
/// durable, and a restart starts every bucket full.
final class RateLimiter: Sendable {
    enum Decision: Equatable {
        /// A permit is reserved; it is free after this many milliseconds (0: now).
        case granted(afterMs: Double)
        /// None frees within the wait; ask again after this many milliseconds.
        case refused(retryAfterMs: Double)
    }

    /// Per key, when its next permit is due at the steady rate (ms on the monotonic clock).
    private let due = Mutex<[String: Double]>([:])

    /// Reserves a permit of `limit` if one is free within `waitMs`.
    func reserve(_ limit: RipLimit, waitMs: Double, now: Double = RateLimiter.now()) -> Decision {
        let interval = Double(limit.ratePeriodMs) / Double(limit.rateCount)
        let tolerance = interval * Double(max(limit.burst, 1) - 1)
        return due.withLock { due in
            let next = max(due[limit.key] ?? now, now)
            let wait = max(0, next - tolerance - now)
            guard wait <= waitMs else { return .refused(retryAfterMs: wait) }
            due[limit.key] = next + interval
            return .granted(afterMs: wait)
        }
    }

    /// Forgets the bucket of a key whose limit went.
    func forget(_ key: String) {
        _ = due.withLock { $0.removeValue(forKey: key) }
    }

    static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1_000_000 }
}
