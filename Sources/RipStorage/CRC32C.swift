import CRipStorage

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of WAL records and
/// snapshot files: the same function as iSCSI, ext4 metadata and etcd's WAL. Computed by the
/// CPU's crc32 instruction where it has one (`rip_crc32c`): recovery checks every byte of the
/// log.
enum CRC32C {
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable(checksum(buffer:)) { return crc }
        return Array(bytes).withUnsafeBufferPointer(checksum(buffer:))
    }

    private static func checksum(buffer bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let base = bytes.baseAddress else { return rip_crc32c(nil, 0) }
        return rip_crc32c(base, bytes.count)
    }
}
