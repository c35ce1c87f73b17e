/// The on-disk formats (ARCHITECTURE.md, "On disk", says the same):
///
/// ```
/// segment   := "RIPWAL1\n" record*                 file wal-<first sequence, 20 digits>.log
/// record    := length u32be | crc u32be | body      crc = CRC-32C of body
/// body      := sequence u64be | Mutation            (protobuf, rip.v1.Mutation)
///
/// snapshot  := "RIPSNAP1" | length u64be | crc u32be | Snapshot
///                                                   file snapshot-<last sequence, 20 digits>.pb
/// ```
///
/// Sequence numbers start at 1 and rise by one per record, across segments. A segment is named
/// by the sequence of its first record; a snapshot by the last sequence it contains.
enum WALFormat {
    static let segmentMagic = Array("RIPWAL1\n".utf8)
    static let snapshotMagic = Array("RIPSNAP1".utf8)
    static let recordHeaderBytes = 8

    static func segmentName(firstSequence: UInt64) -> String { "wal-\(padded(firstSequence)).log" }
    static func snapshotName(lastSequence: UInt64) -> String { "snapshot-\(padded(lastSequence)).pb" }

    /// The sequence number in a segment or snapshot file name, or nil for other files.
    static func sequence(inName name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        return digits.count == 20 ? UInt64(digits) : nil
    }

    /// One framed record.
    static func record(sequence: UInt64, mutation: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(8 + mutation.count)
        appendBigEndian(sequence, to: &body)
        body += mutation
        var record: [UInt8] = []
        record.reserveCapacity(recordHeaderBytes + body.count)
        appendBigEndian(UInt32(body.count), to: &record)
        appendBigEndian(CRC32C.checksum(body), to: &record)
        return record + body
    }

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }

    static func readBigEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>) -> T {
        bytes.prefix(MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T($1) }
    }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }
}
