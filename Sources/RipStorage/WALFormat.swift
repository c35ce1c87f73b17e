/// The on-disk formats (ARCHITECTURE.md, "On disk", says the same):
///
/// ```
/// segment   := "RIPWAL1\n" record*                 file wal-<first sequence, 20 digits>.log
/// record    := length u32be | crc u32be | body      crc = CRC-32C of body
/// body      := sequence u64be | Mutation            (protobuf, rip.v1.Mutation)
///
/// snapshot  := "RIPSNAP2" part* end                file snapshot-<last sequence, 20 digits>.pb
/// part      := length u32be | crc u32be | bytes     1 ≤ length; crc = CRC-32C of bytes
/// end       := 0 u32be | crc u32be | total u64be    total: the parts' bytes; crc of total
///                                                   the parts concatenated: one Snapshot
/// snapshot version 1 (read, no longer written) := "RIPSNAP1" | length u64be | crc u32be | Snapshot
/// ```
///
/// Sequence numbers start at 1 and rise by one per record, across segments. A segment is named
/// by the sequence of its first record; a snapshot by the last sequence it contains.
///
/// The digit in each magic is that file's format version. A build writes the newest versions it
/// knows and reads every older one; a file of a newer version stops recovery with a message
/// saying so, rather than being taken for damage.
public enum WALFormat {
    public static let segmentVersion = 1
    public static let snapshotVersion = 2
    static let segmentMagic = magic("RIPWAL", segmentVersion, "\n")
    static let snapshotMagic = magic("RIPSNAP", snapshotVersion, "")

    static func magic(_ prefix: String, _ version: Int, _ suffix: String) -> [UInt8] {
        Array("\(prefix)\(version)\(suffix)".utf8)
    }

    /// The version a file starting with `bytes` declares after `prefix`, if it has the form.
    static func version(of bytes: ArraySlice<UInt8>, prefix: String) -> Int? {
        guard bytes.starts(with: prefix.utf8), let digit = bytes.dropFirst(prefix.utf8.count).first,
            (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(digit)
        else { return nil }
        return Int(digit - UInt8(ascii: "0"))
    }
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
