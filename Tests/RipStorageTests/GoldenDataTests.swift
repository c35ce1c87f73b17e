import Foundation
import RipCore
import RipProto
@testable import RipStorage
import SwiftProtobuf
import Testing

/// The on-disk format is a contract: a data directory written by an earlier build (made by
/// tools/make-golden, committed, never rewritten) recovers to exactly the state it held.
@Suite("Golden data directory")
struct GoldenDataTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    @Test("the golden data directory (WAL format 1, snapshot format 2) recovers exactly")
    func recoversExactly() throws {
        let copy = try TemporaryDirectory()
        let data = Self.fixture.appendingPathComponent("data").path
        try FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(atPath: data, toPath: copy.path)
        var reports: [String] = []
        let result = try Recovery.run(directory: copy.path, repair: false) { reports.append($0) }
        #expect(reports.isEmpty, "\(reports)")
        #expect(result.snapshotSequence > 0 && result.recordsReplayed == 4 && result.recordsSkipped == 0)
        let recovered = result.state.snapshot(lastSequence: result.tail.nextSequence - 1)

        let expectedURL = Self.fixture.appendingPathComponent("expected.json")
        if ProcessInfo.processInfo.environment["RIPD_WRITE_GOLDEN"] == "1" {
            var options = JSONEncodingOptions()
            options.preserveProtoFieldNames = true
            try Data(recovered.jsonString(options: options).utf8).write(to: expectedURL)
        }
        let expected = try RipSnapshot(jsonUTF8Data: Data(contentsOf: expectedURL))
        #expect(recovered == expected)

        // What the golden directory holds, stated plainly, so a fixture that lost its meaning fails.
        let sessions = try result.state.sessions.list(.init(), now: 0)
        #expect(sessions.map(\.name) == ["golden", "child"])  // by creation
        #expect(sessions.first { $0.name == "child" }?.description_p == "changed after the snapshot")
        #expect(recovered.cookieJars.map(\.cookies.count).sorted() == [1, 2])
        #expect(recovered.jobs.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.pending, .pending, .completed])
        // The artifact put by hand and the page the worker kept as its job's result.
        #expect(recovered.artifacts.count == 2 && recovered.artifacts.contains { $0.name == "artifact.txt" && $0.metadata["origin"] == "make-golden" })
        for artifact in recovered.artifacts {
            #expect(FileManager.default.fileExists(atPath: "\(data)/blobs/sha256/\(artifact.sha256.prefix(2))/\(artifact.sha256)"))
        }
    }
}
