import Logging
import PostgresNIO
import Synchronization

/// One connection to the shared store, opened when first needed and again after it broke: a
/// server that is down is reported at once (the connection is refused) and a server that came
/// back is used by the next call, with no pool to wait on.
final class StoreConnection: Sendable {
    private let location: PostgresLocation
    private let logger: Logger
    private let current = Mutex<PostgresConnection?>(nil)
    private static let ids = Atomic<Int>(1)

    init(_ location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    /// The open connection, or a new one (callers that raced to open one share the first).
    func get() async throws -> PostgresConnection {
        if let connection = current.withLock({ $0 }), !connection.isClosed { return connection }
        let opened = try await Self.open(location, logger: logger)
        let (connection, spare) = current.withLock { current -> (PostgresConnection, PostgresConnection?) in
            if let current, !current.isClosed { return (current, opened) }
            defer { current = opened }
            return (opened, current)
        }
        try? await spare?.close()
        return connection
    }

    /// Whether the connection `id` is the current one and still open.
    func isOpen(_ id: Int?) -> Bool {
        current.withLock { current in
            guard let current, let id else { return false }
            return current.id == id && !current.isClosed
        }
    }

    /// Closes `connection` after a round trip on it failed, and forgets it if it is the current
    /// one (not one another call opened since).
    func close(_ connection: PostgresConnection) async {
        current.withLock { current in
            if current?.id == connection.id { current = nil }
        }
        try? await connection.close()
    }

    /// Closes the connection (it is opened again when next needed).
    func close() async {
        let connection = current.withLock { current in
            defer { current = nil }
            return current
        }
        try? await connection?.close()
    }

    /// Runs `body` on a connection of its own, closed once `body` is done.
    static func with<T>(
        _ location: PostgresLocation, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await open(location, logger: logger)
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: location.configuration, id: ids.wrappingAdd(1, ordering: .relaxed).oldValue, logger: logger)
    }
}
