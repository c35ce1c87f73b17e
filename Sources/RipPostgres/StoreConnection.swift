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

    /// The open connection, or a new one.
    func get() async throws -> PostgresConnection {
        if let connection = current.withLock({ $0 }), !connection.isClosed { return connection }
        let connection = try await Self.open(location, logger: logger)
        let replaced = current.withLock { current in
            defer { current = connection }
            return current
        }
        try? await replaced?.close()
        return connection
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
