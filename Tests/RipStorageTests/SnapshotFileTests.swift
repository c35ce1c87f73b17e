import Foundation
import RipCore
import RipProto
@testable import RipStorage
import Testing

@Suite("Snapshot files")
struct SnapshotFileTests {
    /// A state of 300 sessions with cookies, written through `apply`.
    static func state() throws -> RipState {
        var state = RipState()
        for mutation in creations(300) { _ = try state.apply(mutation) }
        return state
    }

    @Test("a snapshot written in many small parts reads back as the same state")
    func parts() throws {
        let directory = try TemporaryDirectory()
        let state = try Self.state()
        let path = try SnapshotFile.write(state, lastSequence: 300, directory: directory.path, fileLayer: PosixFileLayer(), partBytes: 256)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.prefix(8) == Data("RIPSNAP2".utf8))
        let read = try SnapshotFile.read(path)
        #expect(read == state.snapshot(lastSequence: 300))
        // More parts than sessions would fit in one: the state really was split.
        var parts = 0
        try state.snapshotParts(lastSequence: 300, partBytes: 256) { _ in parts += 1 }
        #expect(parts > 50)
    }

    @Test("a cut or altered snapshot is refused; a newer format version says so; version 1 still reads")
    func damageAndVersions() throws {
        let directory = try TemporaryDirectory()
        let state = try Self.state()
        let path = try SnapshotFile.write(state, lastSequence: 300, directory: directory.path, fileLayer: PosixFileLayer(), partBytes: 4096)
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        let damaged = directory.path + "/damaged.pb"
        for variant in [Array(bytes.dropLast(5)), Array(bytes.dropLast(16)), bytes.enumerated().map { $0.offset == 100 ? $0.element ^ 1 : $0.element }] {
            #expect(FileManager.default.createFile(atPath: damaged, contents: Data(variant)))
            #expect(throws: StorageError.self) { try SnapshotFile.read(damaged) }
        }
        #expect(FileManager.default.createFile(atPath: damaged, contents: Data(Array("RIPSNAP3".utf8) + bytes.dropFirst(8))))
        let newer = #expect(throws: SnapshotFile.NewerFormat.self) { try SnapshotFile.read(damaged) }
        #expect(newer?.description.contains("version 3") == true)

        let payload: [UInt8] = try state.snapshot(lastSequence: 300).serializedBytes()
        var version1 = Array("RIPSNAP1".utf8)
        WALFormat.appendBigEndian(UInt64(payload.count), to: &version1)
        WALFormat.appendBigEndian(CRC32C.checksum(payload), to: &version1)
        #expect(FileManager.default.createFile(atPath: damaged, contents: Data(version1 + payload)))
        #expect(try SnapshotFile.read(damaged) == state.snapshot(lastSequence: 300))
    }

    @Test("a WAL segment of a newer format version stops recovery with a message saying so")
    func newerSegment() async throws {
        let directory = try TemporaryDirectory()
        try await writeLog(creations(3), to: directory.path)
        let segment = directory.path + "/" + WALFormat.segmentName(firstSequence: 1)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: segment)))
        bytes[6] = UInt8(ascii: "2")
        #expect(FileManager.default.createFile(atPath: segment, contents: Data(bytes)))
        let error = #expect(throws: StorageError.self) { try Recovery.run(directory: directory.path, repair: true) { _ in } }
        #expect(error?.description.contains("WAL format version 2") == true)
    }
}

@Suite("Sequence gaps")
struct SequenceGapTests {
    @Test("a gap in the sequence refuses a start that says why; --repair replays what follows it; ripd check counts the skips")
    func gap() async throws {
        let directory = try TemporaryDirectory()
        try await writeLog(creations(10), to: directory.path)
        // A second segment that starts at 15: records 11–14 are missing.
        var bytes = WALFormat.segmentMagic
        for (offset, mutation) in creations(5, from: 15).enumerated() {
            bytes += WALFormat.record(sequence: UInt64(15 + offset), mutation: try mutation.serializedBytes())
        }
        #expect(FileManager.default.createFile(atPath: directory.path + "/" + WALFormat.segmentName(firstSequence: 15), contents: Data(bytes)))

        let refused = #expect(throws: StorageError.self) { try Recovery.run(directory: directory.path, repair: false) { _ in } }
        #expect(refused?.description.contains("records 11–14 are missing") == true)
        #expect(refused?.description.contains("--repair") == true)

        var reports: [String] = []
        let repaired = try Recovery.run(directory: directory.path, repair: true) { reports.append($0) }
        #expect(repaired.recordsReplayed == 15 && repaired.tail.nextSequence == 20)
        #expect(try names(repaired.state).count == 15)
        #expect(reports.contains { $0.contains("repaired") && $0.contains("11–14") })
    }

    @Test("a gap early in a long segment: the replay stops with the reason while records are still being decoded ahead, or goes on with --repair")
    func gapInALongSegment() async throws {
        let directory = try TemporaryDirectory()
        // 5,000 records, 6–9 missing: the replay stops at the sixth while the decoder is chunks ahead.
        var bytes = WALFormat.segmentMagic
        for (offset, mutation) in creations(5_000).enumerated() where !(5..<9).contains(offset) {
            bytes += WALFormat.record(sequence: UInt64(1 + offset), mutation: try mutation.serializedBytes())
        }
        #expect(FileManager.default.createFile(atPath: directory.path + "/" + WALFormat.segmentName(firstSequence: 1), contents: Data(bytes)))
        for _ in 0..<20 {
            let refused = #expect(throws: StorageError.self) { try Recovery.run(directory: directory.path, repair: false) { _ in } }
            #expect(refused?.description.contains("records 6–9 are missing") == true)
        }
        let repaired = try Recovery.run(directory: directory.path, repair: true) { _ in }
        #expect(repaired.recordsReplayed == 4_996 && repaired.tail.nextSequence == 5_001)
    }
}
