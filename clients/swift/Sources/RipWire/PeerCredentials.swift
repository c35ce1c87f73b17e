#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is on the other end of a Unix-socket connection, as the kernel reports it (SO_PEERCRED):
/// the daemon checks its clients with it, and clients check the daemon.
public struct PeerCredentials: Sendable, CustomStringConvertible {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }

    /// Reads the credentials of `channel`'s peer; fails on sockets that are not AF_UNIX.
    public static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: KernelCredentials) in
                PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
            }
    }

    /// Reads the credentials of the peer of the connected Unix socket `descriptor`; nil when
    /// the kernel does not say (not an AF_UNIX socket).
    public static func of(descriptor: Int32) -> PeerCredentials? {
        var credentials = KernelCredentials()
        var length = socklen_t(MemoryLayout<KernelCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
    }
}

/// `struct ucred` of <sys/socket.h> (pid_t, uid_t, gid_t: three 32-bit fields), which Swift's
/// Glibc module does not export because it sits behind _GNU_SOURCE.
private struct KernelCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
