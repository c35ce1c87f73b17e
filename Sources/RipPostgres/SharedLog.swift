import Logging
import NIOCore
import PostgresNIO
import RipCore
import RipProto

/// The SQL of the shared log: every change any daemon committed, as the same `RipMutation`
/// record the embedded write-ahead log holds, numbered without gaps by `seq`. Only the holder
/// of the write lock appends, and it commits before the lock is released, so a reader sees
/// every record up to some `seq` and none after it.
enum SharedLog {
    /// The session-level advisory lock a daemon holds while it appends: "ripd", 1.
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

    /// What a daemon announces on `channel`, followed by its name, when it finds the write
    /// lock taken: the holder then releases it after its turn instead of keeping it.
    static let lockWanted = "lock:"

    /// Takes the write lock if it is free; if not, announces that `instance` wants it (in the
    /// same statement, so the announcement is sent at once). Held until `unlock` or the
    /// connection's end.
    static func tryLockForWriting(announcing instance: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try ensureOpen(connection)
        let rows = try await connection.query(
            """
            WITH tried AS (SELECT pg_try_advisory_lock(\(writeLock)) AS taken),
            asked AS (SELECT pg_notify(\(channel), \(lockWanted + instance)) FROM tried WHERE NOT taken)
            SELECT taken FROM tried WHERE (SELECT count(*) FROM asked) >= 0
            """, logger: logger)
        for try await taken in rows.decode(Bool.self) { return taken }
        return false
    }

    /// Whether another session waits for the write lock (asked before this daemon listened).
    static func othersWaitForLock(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try ensureOpen(connection)
        let rows = try await connection.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND classid::int8 = \(writeLock >> 32) AND objid::int8 = \(writeLock & 0xFFFF_FFFF)
            )
            """, logger: logger)
        for try await waiting in rows.decode(Bool.self) { return waiting }
        return false
    }

    /// Waits for the write lock; it is held until `unlock` or the connection's end.
    static func lockForWriting(on connection: PostgresConnection, logger: Logger) async throws {
        try ensureOpen(connection)
        try await connection.query("SELECT pg_advisory_lock(\(writeLock))", logger: logger)
    }

    static func unlock(on connection: PostgresConnection, logger: Logger) async throws {
        try ensureOpen(connection)
        try await connection.query("SELECT pg_advisory_unlock(\(writeLock))", logger: logger)
    }

    /// The newest snapshot: the state after every record up to its `seq`.
    static func latestSnapshot(on connection: PostgresConnection, logger: Logger) async throws -> (sequence: UInt64, bytes: ByteBuffer)? {
        try ensureOpen(connection)
        let rows = try await connection.query("SELECT seq, state FROM ripd_snapshot ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, bytes) in rows.decode((Int64, ByteBuffer).self) { return (UInt64(seq), bytes) }
        return nil
    }

    /// The state an encoded snapshot (`latestSnapshot`) holds.
    static func state(of sequence: UInt64, _ bytes: ByteBuffer) throws -> RipState {
        do {
            return RipState(snapshot: try RipSnapshot(serializedBytes: Array(buffer: bytes)))
        } catch {
            throw PostgresStoreError("snapshot \(sequence) of ripd_snapshot does not decode: \(error)")
        }
    }

    /// Saves the snapshot of the state after `sequence` (an encoded `RipSnapshot`), and drops
    /// what the snapshot before it covers (older snapshots, log records up to it): one
    /// snapshot's worth of records stays for daemons that are behind. One statement: all or
    /// nothing.
    static func saveSnapshot(_ bytes: ByteBuffer, after sequence: UInt64, on connection: PostgresConnection, logger: Logger) async throws {
        try ensureOpen(connection)
        try await connection.query(
            """
            WITH saved AS (
                INSERT INTO ripd_snapshot (seq, state) VALUES (\(Int64(sequence)), \(bytes)) ON CONFLICT (seq) DO NOTHING
            ), previous AS (
                SELECT coalesce(max(seq), 0) AS seq FROM ripd_snapshot WHERE seq < \(Int64(sequence))
            ), log AS (
                DELETE FROM ripd_log WHERE seq <= (SELECT seq FROM previous)
            )
            DELETE FROM ripd_snapshot WHERE seq < (SELECT seq FROM previous)
            """, logger: logger)
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

    /// Appends `records` (numbered after the log's last) and tells every listening daemon, in
    /// one statement: one transaction, one round trip, durable once it returns. It lands only
    /// if the log (or, once cut, the newest snapshot) ends right before the first record: a
    /// daemon that lost the write lock without knowing cannot fork the log or write behind a cut.
    /// `holders`: how many artifacts hold each content the records made or released, after
    /// them (`SharedContents` frees a content only at 0), set in the same statement;
    /// `reconciling`: `holders` lists every content held, and every other is set to 0.
    static func append(
        _ records: [Record], holders: [(sha256: String, count: Int64)], reconciling: Bool = false,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard let first = records.first, let last = records.last else { return }
        try ensureOpen(connection)
        let append = Append(
            after: Int64(first.sequence) - 1, last: Int64(last.sequence), sequences: records.map { Int64($0.sequence) },
            records: try records.map { ByteBuffer(bytes: try $0.mutation.serializedBytes() as [UInt8]) },
            contents: holders.map(\.sha256), holders: holders.map(\.count), reconciling: reconciling)
        var landed = false
        for try await _ in try await connection.execute(append, logger: logger) { landed = true }
        guard landed else {
            throw PostgresStoreError("the shared log no longer ends at \(first.sequence - 1): this daemon's write lock was lost; the turn is void")
        }
    }

    /// The statement of `append`, prepared once on each connection: parsed and planned once,
    /// not on every turn.
    struct Append: PostgresPreparedStatement {
        static let name = "ripd_append"
        static let sql = """
            WITH appended AS (
                INSERT INTO ripd_log (seq, record)
                SELECT s, r FROM unnest($3::int8[], $4::bytea[]) AS u(s, r)
                WHERE greatest((SELECT max(seq) FROM ripd_log), (SELECT max(seq) FROM ripd_snapshot), 0) = $1
                RETURNING seq
            ), held AS (
                UPDATE ripd_content AS c SET holders = u.n FROM unnest($5::text[], $6::int8[]) AS u(s, n)
                WHERE c.sha256 = u.s AND EXISTS (SELECT 1 FROM appended)
            ), unheld AS (
                UPDATE ripd_content SET holders = 0
                WHERE $7 AND holders > 0 AND sha256 <> ALL($5::text[]) AND EXISTS (SELECT 1 FROM appended)
            )
            SELECT pg_notify('\(channel)', $2::text) FROM (SELECT count(*) AS n FROM appended) AS c WHERE c.n > 0
            """

        let after: Int64
        let last: Int64
        let sequences: [Int64]
        let records: [ByteBuffer]
        let contents: [String]
        let holders: [Int64]
        let reconciling: Bool

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(after)
            bindings.append(last)
            bindings.append(sequences)
            bindings.append(records)
            bindings.append(contents)
            bindings.append(holders)
            bindings.append(reconciling)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// The last change the newest snapshot holds (0: none).
    static func latestSnapshotSequence(on connection: PostgresConnection, logger: Logger) async throws -> UInt64 {
        try ensureOpen(connection)
        let rows = try await connection.query("SELECT coalesce(max(seq), 0) FROM ripd_snapshot", logger: logger)
        for try await sequence in rows.decode(Int64.self) { return UInt64(sequence) }
        return 0
    }
}
