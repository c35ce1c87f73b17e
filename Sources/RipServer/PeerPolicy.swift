#if canImport(Glibc)
import Glibc
#endif
import RipWire

/// Which peers may talk to the daemon: root, the daemon's own uid, and whatever the
/// administrator added with `--allow-uid` / `--allow-gid`.
public struct PeerPolicy: Sendable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: Set<UInt32> = [], allowedGIDs: Set<UInt32> = []) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
    }

    /// Whether anyone beyond root and the daemon's own user is allowed; the socket's file mode
    /// is widened to match, so the credential check, not the file mode, is the gate.
    public var admitsOthers: Bool { !allowedUIDs.isEmpty || !allowedGIDs.isEmpty }

    func admits(_ peer: PeerCredentials) -> Bool {
        peer.uid == 0 || peer.uid == getuid() || allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid)
    }
}
