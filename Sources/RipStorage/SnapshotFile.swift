import Foundation
import RipProto

/// Reads and writes snapshot files (format in `WALFormat`).
enum SnapshotFile {
    /// Writes `snapshot` durably: a temporary file, fsynced, renamed into place, the directory
    /// fsynced. Returns the file's path.
    static func write(_ snapshot: Rip_V1_Snapshot, directory: String, fileLayer: any FileLayer) throws -> String {
        let payload: [UInt8] = try snapshot.serializedBytes()
        var bytes = WALFormat.snapshotMagic
        WALFormat.appendBigEndian(UInt64(payload.count), to: &bytes)
        WALFormat.appendBigEndian(CRC32C.checksum(payload), to: &bytes)
        bytes += payload
        let path = directory + "/" + WALFormat.snapshotName(lastSequence: snapshot.lastSequence)
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        let file = try fileLayer.openForAppend(temporary)
        defer { file.close() }
        try file.write(bytes)
        try file.sync()
        guard rename(temporary, path) == 0 else { throw StorageError.posix("rename", temporary) }
        try fileLayer.syncDirectory(directory)
        return path
    }

    /// The snapshot in `path`, or why it cannot be used.
    static func read(_ path: String) throws -> Rip_V1_Snapshot {
        guard let data = FileManager.default.contents(atPath: path) else { throw StorageError("cannot read \(path)") }
        let bytes = [UInt8](data)
        let header = WALFormat.snapshotMagic.count + 12
        guard bytes.count >= header, Array(bytes.prefix(WALFormat.snapshotMagic.count)) == WALFormat.snapshotMagic else {
            throw StorageError("\(path) is not a ripd snapshot")
        }
        let length = WALFormat.readBigEndian(UInt64.self, bytes[WALFormat.snapshotMagic.count...])
        let crc = WALFormat.readBigEndian(UInt32.self, bytes[(WALFormat.snapshotMagic.count + 8)...])
        let payload = bytes[header...]
        guard UInt64(payload.count) == length, CRC32C.checksum(payload) == crc else {
            throw StorageError("\(path) is damaged (length or checksum mismatch)")
        }
        return try Rip_V1_Snapshot(serializedBytes: Array(payload))
    }
}
