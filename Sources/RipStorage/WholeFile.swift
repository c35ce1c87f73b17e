import Foundation

/// Reads a whole file straight into an array: recovery reads each log segment (up to
/// `--wal-segment-bytes`) this way, with no intermediate copy.
enum WholeFile {
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw StorageError.posix("open", path) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw StorageError.posix("fstat", path) }
        let size = Int(status.st_size)
        guard size > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < size {
                let read = Foundation.read(fd, buffer.baseAddress! + count, size - count)
                if read < 0 && errno == EINTR { continue }
                guard read >= 0 else { throw StorageError.posix("read", path) }
                guard read > 0 else { return }  // the file shrank meanwhile: what it holds
                count += read
            }
        }
    }
}
