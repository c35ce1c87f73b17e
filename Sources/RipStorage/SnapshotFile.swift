import Foundation
import RipCore
import RipProto

/// Reads and writes snapshot files (format in `WALFormat`).
enum SnapshotFile {
    /// Bytes per part: small enough that no part nears protobuf's 2 GiB limit or takes much
    /// memory, large enough that the per-part header costs nothing.
    static let partBytes = 1 << 20

    /// A snapshot file of a format version newer than this build reads.
    struct NewerFormat: Error, CustomStringConvertible {
        let path: String
        let version: Int
        var description: String {
            "\(path) is in snapshot format version \(version), newer than this ripd reads (\(WALFormat.snapshotVersion)); "
                + "run the ripd that wrote it"
        }
    }

    /// Writes the snapshot of `state` as of `lastSequence` durably, part by part: a temporary
    /// file, fsynced, renamed into place, the directory fsynced. Returns the file's path.
    static func write(
        _ state: RipState, lastSequence: UInt64, directory: String, fileLayer: any FileLayer, partBytes: Int = partBytes
    ) throws -> String {
        let path = directory + "/" + WALFormat.snapshotName(lastSequence: lastSequence)
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        let file = try fileLayer.openForAppend(temporary)
        defer { file.close() }
        try file.write(WALFormat.snapshotMagic)
        var total: UInt64 = 0
        try state.snapshotParts(lastSequence: lastSequence, partBytes: partBytes) { part in
            var header: [UInt8] = []
            WALFormat.appendBigEndian(UInt32(part.count), to: &header)
            WALFormat.appendBigEndian(CRC32C.checksum(part), to: &header)
            try file.write(header + part)
            total += UInt64(part.count)
        }
        var end: [UInt8] = [0, 0, 0, 0]
        var totalBytes: [UInt8] = []
        WALFormat.appendBigEndian(total, to: &totalBytes)
        WALFormat.appendBigEndian(CRC32C.checksum(totalBytes), to: &end)
        try file.write(end + totalBytes)
        try file.sync()
        guard rename(temporary, path) == 0 else { throw StorageError.posix("rename", temporary) }
        try fileLayer.syncDirectory(directory)
        return path
    }

    /// The snapshot in `path`, or why it cannot be used.
    static func read(_ path: String) throws -> RipSnapshot {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StorageError("cannot read \(path)") }
        defer { try? handle.close() }
        func next(_ count: Int) throws -> [UInt8] {
            let bytes = [UInt8](try handle.read(upToCount: count) ?? Data())
            guard bytes.count == count else { throw StorageError("\(path) is damaged (it ends early)") }
            return bytes
        }
        let magic = try next(WALFormat.snapshotMagic.count)
        switch WALFormat.version(of: magic[...], prefix: "RIPSNAP") {
        case 1: return try readVersion1(path, after: handle)
        case WALFormat.snapshotVersion: break
        case let version? where version > WALFormat.snapshotVersion: throw NewerFormat(path: path, version: version)
        default: throw StorageError("\(path) is not a ripd snapshot")
        }
        var snapshot = RipSnapshot()
        var total: UInt64 = 0
        while true {
            let header = try next(8)
            let length = WALFormat.readBigEndian(UInt32.self, header[...])
            let crc = WALFormat.readBigEndian(UInt32.self, header[4...])
            if length == 0 {
                let count = try next(8)
                guard CRC32C.checksum(count) == crc, WALFormat.readBigEndian(UInt64.self, count[...]) == total else {
                    throw StorageError("\(path) is damaged (its end does not match its parts)")
                }
                return snapshot
            }
            let part = try next(Int(length))
            guard CRC32C.checksum(part) == crc else { throw StorageError("\(path) is damaged (a part fails its checksum)") }
            try snapshot.merge(serializedBytes: part)
            total += UInt64(length)
        }
    }

    /// Version 1: the whole Snapshot as one message after its length and checksum.
    private static func readVersion1(_ path: String, after handle: FileHandle) throws -> RipSnapshot {
        let bytes = [UInt8](try handle.readToEnd() ?? Data())
        guard bytes.count >= 12 else { throw StorageError("\(path) is damaged (it ends early)") }
        let length = WALFormat.readBigEndian(UInt64.self, bytes[...])
        let crc = WALFormat.readBigEndian(UInt32.self, bytes[8...])
        let payload = bytes[12...]
        guard UInt64(payload.count) == length, CRC32C.checksum(payload) == crc else {
            throw StorageError("\(path) is damaged (length or checksum mismatch)")
        }
        return try RipSnapshot(serializedBytes: Array(payload))
    }
}
