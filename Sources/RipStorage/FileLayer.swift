import Foundation

/// The file operations the WAL needs, behind a protocol so tests can inject faults (a disk
/// that fills up, a write that fails) without touching the real disk's behaviour.
public protocol FileLayer: Sendable {
    /// Opens `path` for appending, creating it (mode 0600) if needed.
    func openForAppend(_ path: String) throws -> any AppendFile
    /// Makes the directory entry changes in `path` (creations, renames, removals) durable.
    func syncDirectory(_ path: String) throws
}

/// A file that only grows at its end (or is cut back after a failed append).
public protocol AppendFile: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// fdatasync(2): the written bytes survive a crash once this returns.
    func sync() throws
    func truncate(to size: Int) throws
    func close()
}

/// A failed file operation, naming the file and the system's reason.
public struct StorageError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    static func posix(_ operation: String, _ path: String, errno code: Int32 = errno) -> StorageError {
        StorageError("\(operation) \(path) failed: \(String(cString: strerror(code)))")
    }
}

/// The real file system.
public struct PosixFileLayer: FileLayer {
    public init() {}

    public func openForAppend(_ path: String) throws -> any AppendFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StorageError.posix("open", path) }
        return PosixAppendFile(fd: fd, path: path)
    }

    public func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.posix("open", path) }
        defer { Foundation.close(fd) }
        guard fsync(fd) == 0 else { throw StorageError.posix("fsync", path) }
    }
}

final class PosixAppendFile: AppendFile {
    private let fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.posix("write to", path)
            }
            offset += written
        }
    }

    func sync() throws {
        guard fdatasync(fd) == 0 else { throw StorageError.posix("fdatasync", path) }
    }

    func truncate(to size: Int) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw StorageError.posix("truncate", path) }
    }

    func close() { Foundation.close(fd) }
}
