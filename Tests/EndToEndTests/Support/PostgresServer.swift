import Foundation
import Testing

/// A private PostgreSQL server (tools/postgres-private) for the shared store's tests.
struct PostgresServer: Sendable {
    /// The directory of the server's Unix socket.
    let directory: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../tools/postgres-private")
            .standardizedFileURL.path
    }

    /// The server tools/test starts for the whole run: RIPD_TEST_POSTGRES names its directory.
    static func shared() throws -> PostgresServer {
        let directory = ProcessInfo.processInfo.environment["RIPD_TEST_POSTGRES"] ?? ""
        try #require(
            !directory.isEmpty,
            "these tests need a PostgreSQL server: run tools/test, or `export RIPD_TEST_POSTGRES=$(tools/postgres-private start)`")
        return PostgresServer(directory: directory)
    }

    /// A server of the test's own (one it may stop and start), removed by `remove()`.
    static func own() async throws -> PostgresServer {
        let started = try await runToCompletion(script, ["start"], stdin: nil)
        try #require(started.status == 0, "tools/postgres-private start failed: \(started.stderr)")
        return PostgresServer(directory: started.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A new, empty database; returns the connection string `ripd --store` takes.
    func newDatabase() async throws -> String {
        try await newDatabaseNamed().store
    }

    /// A new, empty database: its name and the connection string `ripd --store` takes.
    func newDatabaseNamed() async throws -> (name: String, store: String) {
        let name = "ripd_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await sql("CREATE DATABASE \(name)", database: "postgres")
        return (name, "postgresql://ripd@/\(name)?host=\(directory)")
    }

    /// The database of a daemon's data directory (made on first use); returns its connection string.
    func database(for directory: URL) async throws -> String {
        let name = "ripd_dir_" + directory.lastPathComponent.lowercased().filter { $0.isLetter || $0.isNumber }
        let exists = try await sql("SELECT count(*) FROM pg_database WHERE datname = '\(name)'", database: "postgres")
        if exists == "0" { try await sql("CREATE DATABASE \(name)", database: "postgres") }
        return "postgresql://ripd@/\(name)?host=\(self.directory)"
    }

    /// Runs `statement` through psql; returns what it printed (unaligned, no headers).
    @discardableResult
    func sql(_ statement: String, database: String) async throws -> String {
        let result = try await runToCompletion(
            "/usr/bin/psql", ["-h", directory, "-U", "ripd", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atqc", statement], stdin: nil)
        try #require(result.status == 0, "psql failed on \(statement): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server, keeping its data (`up()` starts it again).
    func down() async throws { try await control("down") }
    func up() async throws { try await control("up") }
    func remove() async throws { try await control("stop") }

    private func control(_ command: String) async throws {
        let result = try await runToCompletion(Self.script, [command, directory], stdin: nil)
        try #require(result.status == 0, "tools/postgres-private \(command) failed: \(result.stderr)")
    }
}

extension Daemon {
    /// A ripd on the shared store `store` (its data directory stays empty).
    convenience init(store: String, arguments: [String] = []) async throws {
        try await self.init(arguments: ["--store", store] + arguments)
    }
}
