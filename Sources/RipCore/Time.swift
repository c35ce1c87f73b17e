import RipProto
import SwiftProtobuf

/// Milliseconds since the Unix epoch: the one unit of time inside the state machine. Time only
/// enters through a mutation's `timeUnixMs`, so replaying records reproduces every time rule.
public typealias UnixMillis = Int64

extension Google_Protobuf_Timestamp {
    /// The timestamp `millis` milliseconds after the Unix epoch.
    public init(unixMillis millis: UnixMillis) {
        let seconds = millis.floorDivided(by: 1000)
        self.init(seconds: seconds, nanos: Int32((millis - seconds * 1000) * 1_000_000))
    }

    /// Milliseconds since the Unix epoch, sub-millisecond part dropped.
    public var unixMillis: UnixMillis { seconds * 1000 + Int64(nanos) / 1_000_000 }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
