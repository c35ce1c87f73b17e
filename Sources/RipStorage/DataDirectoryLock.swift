import Foundation
import Synchronization

/// An exclusive flock(2) on `<data dir>/LOCK`, held until `release()` (storage closed) or the
/// end of the process, so two daemons can never write the same log. The kernel drops it when
/// the process dies, even by SIGKILL.
public final class DataDirectoryLock: Sendable {
    /// The locked descriptor, -1 once released.
    private let descriptor: Mutex<Int32>

    public init(directory: String) throws {
        let path = directory + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StorageError.posix("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw StorageError("data directory \(directory) is in use by another ripd; stop it first, or use --data-dir")
            }
            throw StorageError.posix("lock", path, errno: code)
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        descriptor = Mutex(fd)
    }

    /// Unlocks at once, not whenever the last reference goes: whoever reopens the directory
    /// right after a close must find it free. LOCK_UN first: a child another thread is
    /// spawning holds a copy of the descriptor until it execs, and the lock would live on in
    /// that copy past our close.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
