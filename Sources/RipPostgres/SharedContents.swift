import Foundation
import Logging
import PostgresNIO
import RipBase
import RipEngine
import Synchronization

/// Artifact contents in the shared store, so any daemon serves any artifact. A content is kept
/// once across the cluster, named by its SHA-256 (`ripd_content`), as numbered parts of
/// `partBytes` (`ripd_part`). An upload streams into parts owned by `upload:<id>` as its chunks
/// arrive (a daemon holds less than one part per upload in memory); finishing renames them to
/// the content, or drops them when the content is kept already.
///
/// Freeing is decided in SQL, so no daemon frees what another still needs: `holders` is how
/// many artifacts hold a content, set in the same statement that appends the change that made
/// or released them (`SharedLog.append`); `pins` counts commits that finished the content and
/// are recording their artifact. A content goes when both are 0. Every query is one statement
/// (no transaction spans round trips), on one of a few connections taken in turn.
public final class SharedContents: ContentStore {
    /// Bytes per part: the last part of a content may be shorter.
    static let partBytes = 256 << 10
    /// A pin older than this was left by a commit that never ended (its daemon died).
    static let abandonedPin = Duration.seconds(3600)

    private struct Pending {
        /// Received bytes short of a whole part.
        var bytes = Data()
        /// Parts written so far.
        var parts: Int32 = 0
        /// When `ripd_upload` last learned the upload is alive.
        var touched = ContinuousClock.now
    }

    private let connections: [StoreConnection]
    private let nextConnection = Atomic<Int>(0)
    private let location: String
    private let logger: Logger
    private let timeout: Duration
    /// How often an upload that receives less than a part tells `ripd_upload` it is alive: well
    /// within the idle time after which the duty holder collects it.
    private let touchEvery: Duration
    private let uploads = Mutex<[String: Pending]>([:])

    /// `uploadIdleTimeout`: after twice this without a word the duty holder collects an upload
    /// (`collect`), so a live one says it is alive at least every half of it.
    public init(location: PostgresLocation, uploadIdleTimeout: Duration, timeout: Duration = .seconds(30), logger: Logger) {
        connections = (0..<3).map { _ in StoreConnection(location, logger: logger) }
        self.location = location.description
        self.logger = logger
        self.timeout = timeout
        touchEvery = min(.seconds(60), uploadIdleTimeout / 2)
    }

    public func close() async {
        for connection in connections { await connection.close() }
    }

    public func beginUpload(_ id: String) async throws {
        try await run("opening an upload") { connection, logger in
            _ = try await connection.query("INSERT INTO ripd_upload (id) VALUES (\(id))", logger: logger)
        }
        uploads.withLock { $0[id] = Pending() }
    }

    public func append(_ data: Data, toUpload id: String) async throws {
        var pending = try self.pending(id)
        pending.bytes.append(data)
        var parts: [Data] = []
        while pending.bytes.count >= Self.partBytes {
            parts.append(pending.bytes.prefix(Self.partBytes))
            pending.bytes = pending.bytes.dropFirst(Self.partBytes)
        }
        pending.bytes = Data(pending.bytes)  // rebase: indices start at 0 again
        if !parts.isEmpty || ContinuousClock.now - pending.touched > touchEvery {
            try await write(parts, upload: id, from: pending.parts)
            pending.parts += Int32(parts.count)
            pending.touched = .now
        }
        uploads.withLock { $0[id] = pending }
    }

    /// Keeps the content only if every part of the upload is there (the duty holder may have
    /// collected an upload it thought abandoned): otherwise DATA_LOSS, and nothing is kept.
    public func finishUpload(_ id: String, sha256: String, size: UInt64) async throws -> BlobLayout {
        var pending = try self.pending(id)
        uploads.withLock { $0[id] = nil }
        if !pending.bytes.isEmpty {
            try await write([pending.bytes], upload: id, from: pending.parts)
            pending.parts += 1
        }
        let (parts, upload) = (pending.parts, Self.owner(upload: id))
        let (inserted, moved) = try await run("keeping an upload's content") { connection, logger in
            let rows = try await connection.query(
                """
                WITH complete AS (
                    SELECT count(*) = \(parts) AS whole FROM ripd_part WHERE owner = \(upload)
                ), pinned AS (
                    INSERT INTO ripd_content AS c (sha256, size, parts, pins)
                    SELECT \(sha256), \(Int64(size)), \(parts), 1 WHERE (SELECT whole FROM complete)
                    ON CONFLICT (sha256) DO UPDATE SET pins = c.pins + 1, touched_at = now()
                    RETURNING (xmax = 0) AS inserted
                ), moved AS (
                    UPDATE ripd_part SET owner = \(sha256)
                    WHERE owner = \(upload) AND coalesce((SELECT inserted FROM pinned), false) RETURNING 1
                ), dropped AS (
                    DELETE FROM ripd_part WHERE owner = \(upload) AND NOT coalesce((SELECT inserted FROM pinned), false)
                ), gone AS (
                    DELETE FROM ripd_upload WHERE id = \(id)
                )
                SELECT (SELECT inserted FROM pinned), (SELECT count(*) FROM moved)
                """, logger: logger)
            for try await row in rows.decode((Bool?, Int64).self) { return row }
            return (nil, 0)
        }
        guard let inserted, !inserted || moved == Int64(parts) else {
            if inserted == true { await unpin(sha256) }
            throw RipError(.dataLoss, "the upload's parts are gone from the shared store (it was idle too long): upload it again")
        }
        return BlobLayout(encoding: .identity, storedSize: size)
    }

    public func dropUpload(_ id: String) async {
        uploads.withLock { $0[id] = nil }
        do {
            try await run("dropping an upload") { connection, logger in
                _ = try await connection.query(
                    """
                    WITH parts AS (DELETE FROM ripd_part WHERE owner = \(Self.owner(upload: id)))
                    DELETE FROM ripd_upload WHERE id = \(id)
                    """, logger: logger)
            }
        } catch {
            // What is left is collected once the upload is idle for long (`collect`).
            logger.debug("could not drop an upload", metadata: ["upload": "\(id)", "error": "\(error)"])
        }
    }

    public func unpin(_ sha256: String) async {
        do {
            try await run("ending a content's pin") { connection, logger in
                _ = try await connection.query(
                    "UPDATE ripd_content SET pins = greatest(pins - 1, 0) WHERE sha256 = \(sha256)", logger: logger)
            }
        } catch {
            logger.debug("could not unpin a content", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
        }
        await free([sha256])
    }

    public func read(_ sha256: String, layout: BlobLayout, offset: UInt64, length: Int) async throws -> Data {
        guard length > 0 else { return Data() }
        let size = UInt64(Self.partBytes)
        let first = Int32(offset / size), last = Int32((offset + UInt64(length) - 1) / size)
        let parts = try await run("reading a content") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT data FROM ripd_part WHERE owner = \(sha256) AND seq BETWEEN \(first) AND \(last) ORDER BY seq
                """, logger: logger)
            var parts: [ByteBuffer] = []
            for try await part in rows.decode(ByteBuffer.self) { parts.append(part) }
            return parts
        }
        guard parts.count == Int(last - first) + 1 else {
            let kept = try await run("looking a content up") { connection, logger in
                let rows = try await connection.query("SELECT count(*) FROM ripd_content WHERE sha256 = \(sha256)", logger: logger)
                for try await count in rows.decode(Int64.self) { return count > 0 }
                return false
            }
            // Deleted through another daemon since this one read the artifact's record.
            guard kept else { throw RipError.notFound("the artifact was deleted meanwhile (its content \(sha256) is gone)") }
            throw RipError(.dataLoss, "content \(sha256) lacks parts in the shared store (\(parts.count) of \(last - first + 1) found)")
        }
        var data = Data(capacity: parts.reduce(0) { $0 + $1.readableBytes })
        for part in parts { data.append(contentsOf: part.readableBytesView) }
        let from = Int(offset - UInt64(first) * size)
        return data.subdata(in: from..<min(data.count, from + length))
    }

    /// Frees what no artifact holds and no commit pins. `isHeld` is not asked: `holders` in
    /// SQL follows the shared log, which this daemon's state may be behind.
    /// Nil: contents are rows, not files; they are read with `read`.
    public func openFile(_ sha256: String, layout: BlobLayout) throws -> Int32? { nil }

    public func release(_ sha256s: [String], isHeld: @escaping @Sendable (String) -> Bool) async {
        await free(sha256s)
    }

    private func free(_ sha256s: [String]) async {
        do {
            try await run("freeing contents") { connection, logger in
                _ = try await connection.query(
                    """
                    WITH freed AS (
                        DELETE FROM ripd_content WHERE sha256 = ANY(\(sha256s)) AND holders = 0 AND pins = 0 RETURNING sha256
                    )
                    DELETE FROM ripd_part WHERE owner IN (SELECT sha256 FROM freed)
                    """, logger: logger)
            }
        } catch {
            logger.warning("could not free contents; collected later", metadata: ["error": "\(error)"])
        }
    }

    /// On the daemon that holds the duties: drops the parts of uploads nobody touched for
    /// `idle` (their daemon died or lost them) and contents nothing holds whose pins were left
    /// by commits that never ended.
    public func collect(idle: Duration) async {
        do {
            try await run("collecting what interrupted uploads left") { connection, logger in
                let idleSeconds = Self.seconds(idle), abandoned = Self.seconds(Self.abandonedPin)
                _ = try await connection.query(
                    """
                    WITH uploads AS (
                        DELETE FROM ripd_upload WHERE touched_at < now() - make_interval(secs => \(idleSeconds))
                        RETURNING 'upload:' || id AS owner
                    ), contents AS (
                        DELETE FROM ripd_content
                        WHERE holders = 0 AND (pins = 0 OR touched_at < now() - make_interval(secs => \(abandoned)))
                        RETURNING sha256 AS owner
                    )
                    DELETE FROM ripd_part WHERE owner IN (SELECT owner FROM uploads UNION ALL SELECT owner FROM contents)
                    """, logger: logger)
            }
        } catch {
            logger.warning("could not collect in the shared store", metadata: ["error": "\(error)"])
        }
    }

    /// Writes `parts` of the upload `id`, numbered from `first`, and marks it alive; NOT_FOUND
    /// (and nothing written) when the duty holder collected it as abandoned.
    private func write(_ parts: [Data], upload id: String, from first: Int32) async throws {
        let sequences = parts.indices.map { first + Int32($0) }
        let bytes = parts.map { ByteBuffer(bytes: $0) }
        let alive = try await run("writing an upload's parts") { connection, logger in
            let rows = try await connection.query(
                """
                WITH alive AS (
                    UPDATE ripd_upload SET touched_at = now() WHERE id = \(id) RETURNING id
                ), parts AS (
                    INSERT INTO ripd_part (owner, seq, data)
                    SELECT \(Self.owner(upload: id)), s, d FROM unnest(\(sequences)::int4[], \(bytes)::bytea[]) AS u(s, d)
                    WHERE EXISTS (SELECT 1 FROM alive)
                )
                SELECT count(*) FROM alive
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return count > 0 }
            return false
        }
        guard alive else {
            throw RipError.notFound("upload \(id) was collected: it was idle past twice --upload-idle-timeout")
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func pending(_ id: String) throws -> Pending {
        guard let pending = uploads.withLock({ $0[id] }) else { throw RipError.notFound("no open upload '\(id)'") }
        return pending
    }

    private static func owner(upload id: String) -> String { "upload:\(id)" }

    /// One statement, bounded by `timeout`; a failure drops the connection (the next call opens
    /// another) and reaches the caller as UNAVAILABLE naming the store.
    private func run<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let store = connections[nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue % connections.count]
        var used: PostgresConnection?
        do {
            let connection = try await store.get()
            used = connection
            try SharedLog.ensureOpen(connection)
            let logger = logger
            return try await StoreDeadline.run(timeout, what) { try await body(connection, logger) }
        } catch let error as RipError {
            throw error
        } catch {
            if let used { await store.close(used) }
            throw RipError.unavailable("PostgreSQL store \(location): \(what): \(PostgresStoreError.describe(error))")
        }
    }
}
