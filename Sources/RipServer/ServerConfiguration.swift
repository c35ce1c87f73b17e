import RipProto
import RipCore
import RipWire

/// Everything the daemon is told at start.
public struct ServerConfiguration: Sendable {
    public var socketPath: String
    public var dataDirectory: String
    public var maxFrameBytes: Int = RipDefaults.maxFrameBytes
    public var peerPolicy = PeerPolicy()
    public var maxSessions: UInt64 = 10_000
    /// Evict the least recently used session at the limit instead of rejecting the new one.
    public var evictLeastRecentlyUsed = false
    /// The Public Suffix List and per-jar limits the cookie jars enforce. The default has no
    /// list (only the implicit "*" rule); ripd sets `PublicSuffixList.bundled` or the file
    /// `--public-suffix-list` names.
    public var cookiePolicy = CookiePolicy()
    public var cleanupIntervalSeconds: UInt64 = 60
    public var jobPolicy = JobPolicy()
    public var artifactLimits = ArtifactLimits()
    public var connectionLimits = ConnectionLimits()
    public var version: String = RipDefaults.version
    /// Where the state lives, as `Info` reports it: "embedded", or a shared store's location.
    public var store = "embedded"
    /// A shared store's health, for `Info`; nil for the embedded store.
    public var sharedStoreHealth: (@Sendable () -> RipSharedStoreHealth)?

    public init(socketPath: String, dataDirectory: String) {
        self.socketPath = socketPath
        self.dataDirectory = dataDirectory
    }
}

