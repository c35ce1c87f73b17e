import RipProto
import RipBase
import SwiftProtobuf

/// Milliseconds since the Unix epoch: the one unit of time inside the state machine. Time only
/// enters through a mutation's `timeUnixMs`, so replaying records reproduces every time rule.
public typealias UnixMillis = Int64

/// The instants a client may name: protobuf's own Timestamp range, 0001-01-01T00:00:00Z to
/// 9999-12-31T23:59:59.999Z. Every time inside the state lies in it, so no sum of a time and a
/// bounded duration (at most ten years anywhere in the protocol) can overflow.
public enum TimeRange {
    public static let earliestSeconds: Int64 = -62_135_596_800
    public static let latestSeconds: Int64 = 253_402_300_799
    public static let earliest: UnixMillis = earliestSeconds * 1000
    public static let latest: UnixMillis = latestSeconds * 1000 + 999

    /// `timestamp` in milliseconds, or INVALID_ARGUMENT naming `field` and the range when it lies
    /// outside the range or its nanos are not 0…999,999,999.
    public static func check(_ timestamp: Google_Protobuf_Timestamp, _ field: String) throws -> UnixMillis {
        guard contains(timestamp) else { throw RipError.invalidArgument(violation(timestamp, field)) }
        return timestamp.unixMillis
    }

    public static func contains(_ timestamp: Google_Protobuf_Timestamp) -> Bool {
        (earliestSeconds...latestSeconds).contains(timestamp.seconds) && (0...999_999_999).contains(timestamp.nanos)
    }

    static func violation(_ timestamp: Google_Protobuf_Timestamp, _ field: String) -> String {
        "\(field) must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (seconds \(earliestSeconds)…"
            + "\(latestSeconds), nanos 0…999999999), got seconds \(timestamp.seconds) nanos \(timestamp.nanos)"
    }
}

extension Google_Protobuf_Timestamp {
    /// The timestamp `millis` milliseconds after the Unix epoch, clamped to `TimeRange`.
    public init(unixMillis millis: UnixMillis) {
        let millis = min(max(millis, TimeRange.earliest), TimeRange.latest)
        let seconds = millis.floorDivided(by: 1000)
        self.init(seconds: seconds, nanos: Int32((millis - seconds * 1000) * 1_000_000))
    }

    /// Milliseconds since the Unix epoch, sub-millisecond part dropped, clamped to `TimeRange`:
    /// a stored timestamp that was never checked (an older build's record) cannot overflow.
    public var unixMillis: UnixMillis {
        let seconds = min(max(seconds, TimeRange.earliestSeconds), TimeRange.latestSeconds)
        let nanos = min(max(nanos, 0), 999_999_999)
        return seconds * 1000 + Int64(nanos) / 1_000_000
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

extension UInt64 {
    /// `self + other`, or `UInt64.max` where that would overflow: counters saturate, never trap.
    public func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
