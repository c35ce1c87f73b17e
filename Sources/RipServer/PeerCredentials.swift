#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is on the other end of a Unix-socket connection, as the kernel reports it (SO_PEERCRED).
struct PeerCredentials: Sendable, CustomStringConvertible {
    let pid: Int32
    let uid: UInt32
    let gid: UInt32

    var description: String { "pid \(pid) uid \(uid) gid \(gid)" }

    /// Reads the credentials of `channel`'s peer; fails on sockets that are not AF_UNIX.
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: KernelCredentials) in
                PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
            }
    }
}

/// `struct ucred` of <sys/socket.h> (pid_t, uid_t, gid_t: three 32-bit fields), which Swift's
/// Glibc module does not export because it sits behind _GNU_SOURCE.
private struct KernelCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

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
