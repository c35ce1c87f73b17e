import Foundation
import Logging
import PostgresNIO
import RipCore
import RipPostgres
import RipProto
@testable import RipStorage
import SwiftProtobuf
import Testing

/// The shared store's tables are a contract too: a database in schema version 2 written by an
/// earlier build (Fixtures/golden-postgres/ripd.sql: the embedded golden directory's snapshot
/// and the records after it, in `ripd_snapshot` and `ripd_log`; committed, never rewritten)
/// loads to exactly the state the embedded golden directory recovers to.
@Suite("Golden shared store")
struct GoldenSharedStoreTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let sql = fixtures.appendingPathComponent("golden-postgres/ripd.sql")

    @Test("a schema-2 database of an earlier build loads to the golden state")
    func loadsExactly() async throws {
        if ProcessInfo.processInfo.environment["RIPD_WRITE_GOLDEN"] == "1" { try Self.writeFixture() }
        let location = try await TestDatabase.location(for: "ripd-golden-\(UUID().uuidString.prefix(8))")
        let logger = Logger(label: "golden")
        let connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger)
        do {
            for statement in try String(contentsOf: Self.sql, encoding: .utf8).components(separatedBy: ";\n") {
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
    }

    /// Writes ripd.sql from the embedded golden directory: the tables as migrations 1 and 2
    /// made them, its snapshot (changes up to 13) and the four records after it.
    static func writeFixture() throws {
        let data = fixtures.appendingPathComponent("golden/data").path
        let snapshot = try SnapshotFile.read(data + "/snapshot-00000000000000000013.pb")
        let records = SegmentScan(try WholeFile.read(data + "/wal-00000000000000000001.log")).records.filter { $0.sequence > 13 }
        let hex: ([UInt8]) -> String = { bytes in "'\\x" + bytes.map { String(format: "%02x", $0) }.joined() + "'" }
        let text = """
            -- The shared store at schema version 2, as written by ripd 0.2.0 (GoldenSharedStoreTests.writeFixture,
            -- from Fixtures/golden). Never rewritten: later builds must load it.
            CREATE TABLE ripd_schema (version integer PRIMARY KEY, summary text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO ripd_schema (version, summary) VALUES (1, 'the shared log of changes'), (2, 'snapshots of the state, so the log can be cut');
            CREATE TABLE ripd_log (seq bigint PRIMARY KEY CHECK (seq > 0), record bytea NOT NULL, committed_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE ripd_snapshot (seq bigint PRIMARY KEY CHECK (seq > 0), state bytea NOT NULL, taken_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO ripd_snapshot (seq, state) VALUES (13, \(hex(try snapshot.serializedBytes())));
            INSERT INTO ripd_log (seq, record) VALUES
            \(records.map { "(\($0.sequence), \(hex(Array($0.mutation))))" }.joined(separator: ",\n"));

            """
        try Data(text.utf8).write(to: sql)
    }
}
