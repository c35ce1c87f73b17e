import Foundation

/// An exclusive flock(2) on `<data dir>/LOCK`, held for the daemon's life, so two daemons can
/// never write the same log. The kernel drops it when the process dies, even by SIGKILL.
public final class DataDirectoryLock: Sendable {
    private let fd: Int32

    public init(directory: String) throws {
        let path = directory + "/LOCK"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
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
    }

    deinit { close(fd) }
}
