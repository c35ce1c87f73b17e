import CRipStorage
import Foundation
import NIOCore
import NIOPosix
import RipCore
import RipEngine
import RipProto
@testable import RipStorage
import Testing

/// A data directory in /tmp, removed when the test ends.
final class TemporaryDirectory {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ripstorage-\(UUID().uuidString.prefix(8))").path

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    func copy() throws -> TemporaryDirectory {
        let other = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            try FileManager.default.copyItem(atPath: path + "/" + name, toPath: other.path + "/" + name)
        }
        return other
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Mutations that create sessions named s1, s2, … at increasing times.
func creations(_ count: Int, from first: Int = 1) -> [RipMutation] {
    (first..<(first + count)).map { i in
        .with {
            $0.timeUnixMs = 1_800_000_000_000 + Int64(i)
            $0.newSessionID = RipID.session.generate()
            $0.sessionLimit.maxSessions = 1_000_000
            $0.createSession = .with { $0.name = "s\(i)"; $0.tags = ["t\(i % 3)"] }
        }
    }
}

/// Writes `mutations` through a real WriteAheadLog and waits until each is durable; with
/// `oneByOne`, each record is its own batch (so segments rotate at their size).
func writeLog(
    _ mutations: [RipMutation], to directory: String, segmentBytes: Int = 1 << 20, oneByOne: Bool = false
) async throws {
    var configuration = WriteAheadLog.Configuration(directory: directory)
    configuration.segmentBytes = segmentBytes
    let recovered = try Recovery.run(directory: directory, repair: false) { _ in }
    let log = try WriteAheadLog(configuration: configuration, tail: recovered.tail)
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    var futures: [EventLoopFuture<Void>] = []
    for mutation in mutations {
        let promise = loop.makePromise(of: Void.self)
        log.append(mutation, durability: Durability(promise))
        futures.append(promise.futureResult)
        if oneByOne { try await promise.futureResult.get() }
    }
    for future in futures { try await future.get() }
    try await log.close()
}

func names(_ state: RipState) throws -> [String] {
    try state.sessions.list(.init(), now: 0).map(\.name)
}

@Suite("Write-ahead log recovery")
struct RecoveryTests {
    @Test("CRC-32C, by instruction and by table, matches the standard check values (RFC 3720 B.4) and a bit-at-a-time reference at every length and offset")
    func crc() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        func reference(_ bytes: some Sequence<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return crc ^ 0xFFFF_FFFF
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<200).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        for start in 0..<9 {
            for end in start...bytes.count {
                let part = Array(bytes[start..<end])
                if CRC32C.checksum(part) != reference(part) { Issue.record("bytes \(start)..<\(end)") }
                // Where the CPU has a crc32 instruction, the table that serves CPUs without one.
                if part.withUnsafeBufferPointer({ rip_crc32c_table($0.baseAddress, $0.count) }) != reference(part) {
                    Issue.record("the table, bytes \(start)..<\(end)")
                }
            }
        }
        #expect(CRC32C.checksum(AnySequence(bytes)) == reference(bytes), "a sequence that is not contiguous")
    }

    @Test("records written by the log replay to the same state, across segment rotation")
    func replay() async throws {
        let directory = try TemporaryDirectory()
        let mutations = creations(300)
        try await writeLog(mutations, to: directory.path, segmentBytes: 4096, oneByOne: true)
        let recovered = try Recovery.run(directory: directory.path, repair: false) { _ in }
        var expected = RipState()
        for mutation in mutations { _ = try expected.apply(mutation) }
        #expect(recovered.segments > 3)
        #expect(recovered.recordsReplayed == 300)
        #expect(recovered.tail.nextSequence == 301)
        #expect(try recovered.state.sessions.list(.init(), now: 0) == expected.sessions.list(.init(), now: 0))
    }

    @Test("a log cut at every byte of its last records recovers exactly the whole records before the cut")
    func tornTailAtEveryOffset() async throws {
        let directory = try TemporaryDirectory()
        try await writeLog(creations(20), to: directory.path)
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasPrefix("wal-") })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + segment)))
        let offsets = SegmentScan(bytes).records.map(\.offset)
        let ends = Array(offsets.dropFirst()) + [bytes.count]
        let lastThree = offsets[offsets.count - 3]
        for cut in lastThree..<bytes.count {
            let copy = try directory.copy()
            try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: copy.path + "/" + segment))
            var reports: [String] = []
            let recovered = try Recovery.run(directory: copy.path, repair: false) { reports.append($0) }
            let whole = ends.filter { $0 <= cut }.count
            let goodBytes = ends.filter { $0 <= cut }.last ?? offsets[0]
            #expect(recovered.recordsReplayed == whole, "cut at \(cut)")
            #expect(try names(recovered.state).count == whole)
            #expect(reports.count == (goodBytes == cut ? 0 : 1), "cut at \(cut): \(reports)")
            // The torn bytes are gone from disk, and appending continues after the last whole record.
            let size = try FileManager.default.attributesOfItem(atPath: copy.path + "/" + segment)[.size] as? Int
            #expect(size == goodBytes)
            try await writeLog(creations(1, from: 100), to: copy.path)
            #expect(try Recovery.run(directory: copy.path, repair: false) { _ in }.recordsReplayed == whole + 1)
        }
    }

    @Test("a flipped byte before the tail stops recovery naming file and offset; repair cuts there")
    func corruption() async throws {
        let directory = try TemporaryDirectory()
        try await writeLog(creations(30), to: directory.path)
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasPrefix("wal-") })
        let url = URL(fileURLWithPath: directory.path + "/" + segment)
        var bytes = [UInt8](try Data(contentsOf: url))
        let offsets = SegmentScan(bytes).records.map(\.offset)
        bytes[offsets[10] + 12] ^= 0xFF  // inside record 11's body
        try Data(bytes).write(to: url)
        let error = #expect(throws: StorageError.self) { try Recovery.run(directory: directory.path, repair: false) { _ in } }
        #expect(error?.description.contains(segment) == true)
        #expect(error?.description.contains("offset \(offsets[10])") == true)
        #expect(error?.description.contains("--repair") == true)
        var reports: [String] = []
        let repaired = try Recovery.run(directory: directory.path, repair: true) { reports.append($0) }
        #expect(repaired.recordsReplayed == 10)
        #expect(reports.first?.contains("repaired") == true)
        #expect(try Recovery.run(directory: directory.path, repair: false) { _ in }.recordsReplayed == 10)
    }

    @Test("a snapshot plus the records after it gives the state before restart; covered segments go")
    func snapshotAndReplay() async throws {
        let directory = try TemporaryDirectory()
        var configuration = Storage.Configuration(directory: directory.path)
        configuration.log.segmentBytes = 4096
        var expected = RipState()
        do {
            let storage = try Storage(configuration: configuration) { _ in }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            var state = storage.recovered.state
            let mutations = creations(400)

            var futures: [EventLoopFuture<Void>] = []
            for (index, mutation) in mutations.enumerated() {
                _ = try state.apply(mutation)
                let promise = loop.makePromise(of: Void.self)
                storage.log.append(mutation, durability: Durability(promise))
                futures.append(promise.futureResult)
                // Each of the first 200 is durable before the next is queued, so each is its own
                // batch and the log rotates at 4 KiB (one batch, however large, is never split).
                if index < 200 { try await promise.futureResult.get() }
                if index == 199 {
                    for future in futures { try await future.get() }
                    let captured = state
                    let source = FixedSource(state: captured, lastSequence: 200)
                    storage.attach(source)
                    #expect(try await storage.snapshot().lastSequence == 200)
                }
            }
            for future in futures { try await future.get() }
            expected = state
            try await storage.close()
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasPrefix("snapshot-") } == [WALFormat.snapshotName(lastSequence: 200)])
        let firstSegment = try #require(files.compactMap { WALFormat.sequence(inName: $0, prefix: "wal-", suffix: ".log") }.min())
        #expect(firstSegment > 1 && firstSegment <= 201)  // segments wholly before the snapshot were removed
        let recovered = try Recovery.run(directory: directory.path, repair: false) { _ in }
        #expect(recovered.snapshotSequence == 200)
        #expect(recovered.recordsReplayed == 200)
        // The snapshot threshold keeps counting after a restart: exactly the records after it.
        let afterSnapshot = try creations(200, from: 201).reduce(0) { $0 + 16 + (try $1.serializedBytes() as [UInt8]).count }
        #expect(recovered.tail.bytesSinceSnapshot == afterSnapshot)
        #expect(try recovered.state.sessions.list(.init(), now: 0) == expected.sessions.list(.init(), now: 0))
    }
}

/// A snapshot source that always holds the same state.
private final class FixedSource: SnapshotSource {
    let state: RipState
    let lastSequence: UInt64

    init(state: RipState, lastSequence: UInt64) {
        self.state = state
        self.lastSequence = lastSequence
    }

    func snapshot() -> (state: RipState, lastSequence: UInt64) { (state, lastSequence) }
    func reload(_ rebuild: () throws -> RipState) {}
}
