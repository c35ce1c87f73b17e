import Foundation
import Logging
import PostgresNIO
import RipCore
import RipEngine
import RipPostgres
import RipProto
@testable import RipStorage
import SwiftProtobuf
import Testing

/// The shared store's tables are a contract too: databases written by earlier builds
/// (Fixtures/golden-postgres: `ripd.sql` at schema version 2, `ripd-v3.sql` at version 3 with
/// artifact contents; each the embedded golden directory's snapshot and the records after it,
/// in `ripd_snapshot` and `ripd_log`; committed, never rewritten) load to exactly the state the
/// embedded golden directory recovers to, and at version 3 every artifact reads back the bytes
/// of its blob in the golden directory.
@Suite("Golden shared store")
struct GoldenSharedStoreTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("a database of an earlier build loads to the golden state", arguments: [2, 3])
    func loadsExactly(version: Int) async throws {
        let sql = Self.fixtures.appendingPathComponent(version == 2 ? "golden-postgres/ripd.sql" : "golden-postgres/ripd-v\(version).sql")
        if ProcessInfo.processInfo.environment["RIPD_WRITE_GOLDEN"] == "\(version)" { try Self.writeFixture(version: version, to: sql) }
        let location = try await TestDatabase.location(for: "ripd-golden-\(UUID().uuidString.prefix(8))")
        let logger = Logger(label: "golden")
        let connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger)
        do {
            for statement in try String(contentsOf: sql, encoding: .utf8).components(separatedBy: ";\n") {
                let lines = statement.split(separator: "\n").filter { !$0.hasPrefix("--") }
                guard !lines.isEmpty else { continue }
                try await connection.query(PostgresQuery(unsafeSQL: lines.joined(separator: "\n")), logger: logger)
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        let engine = try await PostgresEngine(location: location, logger: logger)
        #expect(engine.head == 17 && engine.health().snapshotSequence == 13)
        let loaded = engine.snapshot().state.snapshot(lastSequence: engine.head)
        let expected = try RipSnapshot(jsonUTF8Data: Data(contentsOf: Self.fixtures.appendingPathComponent("golden/expected.json")))
        await engine.close()
        #expect(loaded == expected)
        guard version >= 3 else { return }
        let contents = SharedContents(location: location, uploadIdleTimeout: .seconds(600), logger: logger)
        for artifact in expected.artifacts {
            let read = try await contents.read(
                artifact.sha256, layout: BlobLayout(encoding: .identity, storedSize: artifact.storedSize), offset: 0, length: Int(artifact.size))
            #expect(read == (try Data(contentsOf: Self.blob(artifact.sha256))), "\(artifact.name)")
        }
        await contents.close()
    }

    static func blob(_ sha256: String) -> URL {
        fixtures.appendingPathComponent("golden/data/blobs/sha256/\(sha256.prefix(2))/\(sha256)")
    }

    /// Writes a fixture from the embedded golden directory: the tables as the migrations up to
    /// `version` made them, its snapshot (changes up to 13) and the four records after it; from
    /// version 3 the artifacts' contents, each held by one artifact, in one part.
    static func writeFixture(version: Int, to sql: URL) throws {
        let data = fixtures.appendingPathComponent("golden/data").path
        let snapshot = try SnapshotFile.read(data + "/snapshot-00000000000000000013.pb")
        let records = SegmentScan(try WholeFile.read(data + "/wal-00000000000000000001.log")).records.filter { $0.sequence > 13 }
        let hex: ([UInt8]) -> String = { bytes in "'\\x" + bytes.map { String(format: "%02x", $0) }.joined() + "'" }
        var text = """
            -- The shared store at schema version \(version), as written by ripd 0.2.0 (GoldenSharedStoreTests.writeFixture,
            -- from Fixtures/golden). Never rewritten: later builds must load it.
            CREATE TABLE ripd_schema (version integer PRIMARY KEY, summary text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO ripd_schema (version, summary) VALUES (1, 'the shared log of changes'), (2, 'snapshots of the state, so the log can be cut');
            CREATE TABLE ripd_log (seq bigint PRIMARY KEY CHECK (seq > 0), record bytea NOT NULL, committed_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE ripd_snapshot (seq bigint PRIMARY KEY CHECK (seq > 0), state bytea NOT NULL, taken_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO ripd_snapshot (seq, state) VALUES (13, \(hex(try snapshot.serializedBytes())));
            INSERT INTO ripd_log (seq, record) VALUES
            \(records.map { "(\($0.sequence), \(hex(Array($0.mutation))))" }.joined(separator: ",\n"));

            """
        if version >= 3 {
            let artifacts = try RipSnapshot(jsonUTF8Data: Data(contentsOf: fixtures.appendingPathComponent("golden/expected.json"))).artifacts
            text += """
                INSERT INTO ripd_schema (version, summary) VALUES (3, 'artifact contents, kept once by SHA-256 in parts, and the uploads in progress');
                CREATE TABLE ripd_content (sha256 text PRIMARY KEY, size bigint NOT NULL CHECK (size >= 0), parts integer NOT NULL CHECK (parts >= 0), holders bigint NOT NULL DEFAULT 0 CHECK (holders >= 0), pins bigint NOT NULL DEFAULT 0 CHECK (pins >= 0), touched_at timestamptz NOT NULL DEFAULT now());
                CREATE TABLE ripd_upload (id text PRIMARY KEY, touched_at timestamptz NOT NULL DEFAULT now());
                CREATE TABLE ripd_part (owner text NOT NULL, seq integer NOT NULL CHECK (seq >= 0), data bytea NOT NULL, PRIMARY KEY (owner, seq));
                INSERT INTO ripd_content (sha256, size, parts, holders) VALUES
                \(artifacts.map { "('\($0.sha256)', \($0.size), 1, 1)" }.joined(separator: ",\n"));
                INSERT INTO ripd_part (owner, seq, data) VALUES
                \(try artifacts.map { "('\($0.sha256)', 0, \(hex(Array(try Data(contentsOf: blob($0.sha256))))))" }.joined(separator: ",\n"));

                """
        }
        try Data(text.utf8).write(to: sql)
    }
}
