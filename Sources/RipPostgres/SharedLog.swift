import Logging
import NIOCore
import PostgresNIO
import RipProto

/// The SQL of the shared log: every change any daemon committed, as the same `RipMutation`
/// record the embedded write-ahead log holds, numbered without gaps by `seq`. Only the holder
/// of the write lock appends, and it commits before the lock is released, so a reader sees
/// every record up to some `seq` and none after it.
enum SharedLog {
    /// The transaction-scoped advisory lock a write turn holds: "ripd", 1.
    static let writeLock: Int64 = 0x7269_7064_0001
    /// The session-level advisory lock of the daemon that runs the periodic duties: "ripd", 2.
    static let dutiesLock: Int64 = 0x7269_7064_0002
    /// Where a committed turn announces its last `seq`.
    static let channel = "ripd_log"
    /// Records fetched per query while catching up.
    static let page = 4096

    struct Record: Sendable {
        let sequence: UInt64
        let mutation: RipMutation
    }

    /// Waits for the write turn; it is held until the transaction ends.
    static func lockForWriting(on connection: PostgresConnection, logger: Logger) async throws {
        try ensureOpen(connection)
        try await connection.query("SELECT pg_advisory_xact_lock(\(writeLock))", logger: logger)
    }

    /// A query written to a connection the server dropped never ends (PostgresNIO loses it):
    /// refuse to write one. What remains of the race is bounded by `StoreDeadline`.
    static func ensureOpen(_ connection: PostgresConnection) throws {
        if connection.isClosed { throw PostgresStoreError("the connection to the database closed") }
    }

    /// Takes the duties lock if no other daemon holds it.
    static func tryDuties(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(dutiesLock))", logger: logger)
        for try await taken in rows.decode(Bool.self) { return taken }
        return false
    }

    /// Up to `page` records after `head`, in order.
    static func records(after head: UInt64, on connection: PostgresConnection, logger: Logger) async throws -> [Record] {
        try ensureOpen(connection)
        let rows = try await connection.query(
            "SELECT seq, record FROM ripd_log WHERE seq > \(Int64(head)) ORDER BY seq LIMIT \(Int64(page))", logger: logger)
        var records: [Record] = []
        for try await (seq, bytes) in rows.decode((Int64, ByteBuffer).self) {
            do {
                records.append(Record(sequence: UInt64(seq), mutation: try RipMutation(serializedBytes: Array(buffer: bytes))))
            } catch {
                throw PostgresStoreError("record \(seq) of ripd_log does not decode: \(error)")
            }
        }
        return records
    }

    /// Appends `records` (numbered after the log's last) and tells every listening daemon.
    static func append(_ records: [Record], on connection: PostgresConnection, logger: Logger) async throws {
        guard let last = records.last else { return }
        try ensureOpen(connection)
        let sequences = records.map { Int64($0.sequence) }
        let bytes = try records.map { ByteBuffer(bytes: try $0.mutation.serializedBytes() as [UInt8]) }
        try await connection.query(
            "INSERT INTO ripd_log (seq, record) SELECT * FROM unnest(\(sequences)::int8[], \(bytes)::bytea[])", logger: logger)
        try await connection.query("SELECT pg_notify(\(channel), \(String(last.sequence)))", logger: logger)
    }
}
