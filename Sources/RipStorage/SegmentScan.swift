/// What reading one segment found: its good records, and how it ends.
struct SegmentScan {
    struct Record {
        let sequence: UInt64
        let mutation: ArraySlice<UInt8>
        /// Offset of the record's first byte in the file.
        let offset: Int
    }

    enum Ending: Equatable {
        /// Every byte belongs to a good record.
        case clean
        /// The last record is incomplete or fails its checksum and nothing follows it: what a
        /// crash in the middle of an append leaves. Bytes from `offset` on can be cut.
        case tornTail(offset: Int)
        /// A bad record with more data after it, or a bad header: not a crash artefact.
        case corrupt(offset: Int, reason: String)
        /// Written by a newer ripd in a format version this build does not read.
        case newer(version: Int)
    }

    var records: [Record] = []
    var ending: Ending = .clean

    /// Offset just past the last good record.
    var goodBytes: Int {
        switch ending {
        case .clean, .newer: return -1
        case .tornTail(let offset), .corrupt(let offset, _): return offset
        }
    }

    /// Parses a whole segment file.
    init(_ bytes: [UInt8]) {
        guard bytes.count >= WALFormat.segmentMagic.count else {
            ending = .tornTail(offset: 0)
            return
        }
        guard Array(bytes.prefix(WALFormat.segmentMagic.count)) == WALFormat.segmentMagic else {
            if let version = WALFormat.version(of: bytes[...], prefix: "RIPWAL"), version > WALFormat.segmentVersion {
                ending = .newer(version: version)
            } else {
                ending = .corrupt(offset: 0, reason: "not a ripd WAL segment (bad magic)")
            }
            return
        }
        var offset = WALFormat.segmentMagic.count
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= WALFormat.recordHeaderBytes else {
                ending = .tornTail(offset: offset)
                return
            }
            let length = Int(WALFormat.readBigEndian(UInt32.self, bytes[offset...]))
            let crc = WALFormat.readBigEndian(UInt32.self, bytes[(offset + 4)...])
            let end = offset + WALFormat.recordHeaderBytes + length
            guard end <= bytes.count else {
                ending = .tornTail(offset: offset)
                return
            }
            let body = bytes[(offset + WALFormat.recordHeaderBytes)..<end]
            guard length >= 8, CRC32C.checksum(body) == crc else {
                // A bad last record, or zeros to the end (a preallocated or half-written
                // block), is a torn append; a bad record with data after it is corruption.
                let rest = bytes[offset...]
                if end == bytes.count || rest.allSatisfy({ $0 == 0 }) {
                    ending = .tornTail(offset: offset)
                } else {
                    ending = .corrupt(offset: offset, reason: length < 8 ? "record too short" : "checksum mismatch")
                }
                return
            }
            records.append(Record(
                sequence: WALFormat.readBigEndian(UInt64.self, body), mutation: body.dropFirst(8), offset: offset))
            offset = end
        }
    }
}
