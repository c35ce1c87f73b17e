import Logging
import PostgresNIO

/// The shared store's tables, created and upgraded by numbered migrations. `ripd_schema` holds
/// one row per migration applied; a database at a version newer than this build knows is
/// refused (an older ripd must not write to a schema it does not understand).
public enum Schema {
    struct Migration {
        let version: Int
        let summary: String
        let statements: [PostgresQuery]
    }

    static let migrations: [Migration] = [
        Migration(
            version: 1, summary: "the shared log of changes",
            statements: [
                """
                CREATE TABLE ripd_log (
                    seq bigint PRIMARY KEY CHECK (seq > 0),
                    record bytea NOT NULL,
                    committed_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ]),
        Migration(
            version: 2, summary: "snapshots of the state, so the log can be cut",
            statements: [
                """
                CREATE TABLE ripd_snapshot (
                    seq bigint PRIMARY KEY CHECK (seq > 0),
                    state bytea NOT NULL,
                    taken_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ]),
        Migration(
            version: 3, summary: "artifact contents, kept once by SHA-256 in parts, and the uploads in progress",
            statements: [
                """
                CREATE TABLE ripd_content (
                    sha256 text PRIMARY KEY,
                    size bigint NOT NULL CHECK (size >= 0),
                    parts integer NOT NULL CHECK (parts >= 0),
                    holders bigint NOT NULL DEFAULT 0 CHECK (holders >= 0),
                    pins bigint NOT NULL DEFAULT 0 CHECK (pins >= 0),
                    touched_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE ripd_upload (
                    id text PRIMARY KEY,
                    touched_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE ripd_part (
                    owner text NOT NULL,
                    seq integer NOT NULL CHECK (seq >= 0),
                    data bytea NOT NULL,
                    PRIMARY KEY (owner, seq)
                )
                """,
            ]),
    ]

    /// The version this build writes and reads.
    public static var version: Int { migrations.last?.version ?? 0 }

    /// Every daemon migrating at once takes this transaction-scoped advisory lock: one
    /// migrates, the others then find nothing to do.
    static let migrationLock: Int64 = 0x7269_7064_0000  // "ripd", 0

    /// Connects to `location` and migrates it (`ripd migrate`).
    @discardableResult
    public static func migrate(_ location: PostgresLocation, logger: Logger) async throws -> (from: Int, to: Int) {
        try await StoreConnection.with(location, logger: logger) { try await migrate(on: $0, logger: logger) }
    }

    /// Brings the database to `version`: every missing migration, in order, in one transaction.
    /// Returns the version found and the version left.
    @discardableResult
    static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> (from: Int, to: Int) {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS ripd_schema (
                    version integer PRIMARY KEY,
                    summary text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let found = try await current(on: connection, logger: logger)
            guard found <= version else {
                throw PostgresStoreError(
                    "the database's ripd schema is at version \(found) and this ripd knows versions up to \(version): "
                        + "run a ripd at least as new as the one that migrated it")
            }
            for migration in migrations where migration.version > found {
                for statement in migration.statements { try await connection.query(statement, logger: logger) }
                try await connection.query(
                    "INSERT INTO ripd_schema (version, summary) VALUES (\(migration.version), \(migration.summary))",
                    logger: logger)
                logger.info("migrated the shared store", metadata: ["version": "\(migration.version)", "summary": "\(migration.summary)"])
            }
            return (found, version)
        }
    }

    /// The highest migration applied (0: none).
    static func current(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT coalesce(max(version), 0)::int8 FROM ripd_schema", logger: logger)
        for try await version in rows.decode(Int64.self) { return Int(version) }
        return 0
    }
}
