import Foundation
import PostgresNIO

/// Where a shared store lives: a PostgreSQL connection string, given to `--store` or read from
/// `--store-file`.
///
/// `postgresql://USER[:PASSWORD]@[HOST][:PORT]/DATABASE[?host=…&port=…]` (or `postgres://`). A
/// `host` that starts with `/` is the directory of the server's Unix socket; no host at all is
/// Debian's default socket directory, `/var/run/postgresql`. TLS is not offered: the store is
/// reached over a Unix socket or a trusted network.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public private(set) var configuration: PostgresConnection.Configuration
    /// The server and database, without the password: for logs and error messages.
    public let description: String

    public init(_ string: String) throws(PostgresStoreError) {
        guard let url = URLComponents(string: string), let scheme = url.scheme,
            ["postgresql", "postgres"].contains(scheme)
        else {
            throw PostgresStoreError("a store is `embedded` or a postgresql://USER@HOST/DATABASE connection string")
        }
        var host = url.host.flatMap { $0.isEmpty ? nil : $0 }
        var port = url.port
        for item in url.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let value = item.value, !value.isEmpty else { throw PostgresStoreError("host= needs a host name or a socket directory") }
                host = value
            case "port":
                guard let value = item.value.flatMap(Int.init), (1...65535).contains(value) else {
                    throw PostgresStoreError("port=\(item.value ?? "") is not a port number (1–65535)")
                }
                port = value
            default:
                throw PostgresStoreError("the connection string's parameter \(item.name) is not supported (only host and port)")
            }
        }
        guard let user = url.user, !user.isEmpty else {
            throw PostgresStoreError("the connection string names no user (postgresql://USER@…)")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("the connection string names no database (postgresql://USER@HOST/DATABASE)")
        }
        let serverPort = port ?? 5432
        if let port, !(1...65535).contains(port) { throw PostgresStoreError("port \(port) is not a port number (1–65535)") }
        let socketDirectory = host == nil ? "/var/run/postgresql" : host?.hasPrefix("/") == true ? host : nil
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            let socket = socketDirectory + "/.s.PGSQL.\(serverPort)"
            configuration = .init(unixSocketPath: socket, username: user, password: url.password, database: database)
            description = "postgresql://\(user)@/\(database) on \(socket)"
        } else {
            let host = host ?? ""
            configuration = .init(host: host, port: serverPort, username: user, password: url.password, database: database, tls: .disable)
            description = "postgresql://\(user)@\(host):\(serverPort)/\(database)"
        }
        // A server that does not answer is reported as unavailable within seconds, not minutes.
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = Self.parameters(lockTimeoutMs: 9_000)
        self.configuration = configuration
    }

    /// This location with its waits bounded below `limit`, the daemon's bound on a round trip
    /// (`--store-timeout`): at 90% of it the server ends a wait for a lock itself, so no wait
    /// the daemon gave up on stays queued there (to take a lock, or commit, later); a
    /// connection gets half of it to open (5 s under the default 10 s).
    public func waitingLess(than limit: Duration) -> PostgresLocation {
        var location = self
        let ms = limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
        location.configuration.options.additionalStartupParameters = Self.parameters(lockTimeoutMs: max(ms * 9 / 10, 1))
        location.configuration.options.connectTimeout = .milliseconds(max(ms / 2, 1))
        return location
    }

    /// What every connection sets at its start. A daemon whose host vanished loses its locks
    /// (the write lock, the duties) within about 20 s instead of the kernel's hours; a wait for
    /// a lock gives up before the daemon's own bound (`waitingLess(than:)`; 9 s under the
    /// default 10 s). ripd's statements are key lookups, ranges of keys and appends, whose plan
    /// does not depend on the values: a plan made once serves every call, and binding a turn's
    /// append costs 0.01 ms instead of 0.14 ms of planning.
    private static func parameters(lockTimeoutMs: Int64) -> [(String, String)] {
        [
            ("tcp_keepalives_idle", "10"), ("tcp_keepalives_interval", "3"), ("tcp_keepalives_count", "3"),
            ("lock_timeout", "\(lockTimeoutMs)ms"), ("application_name", "ripd"), ("plan_cache_mode", "force_generic_plan"),
        ]
    }

    /// The connection string in `path`, which only its owner may read or write (0600): it may
    /// hold a password, which a command line would show to every user in `ps`.
    public init(file path: String) throws(PostgresStoreError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw PostgresStoreError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        // A connection string, not a device or a log: read at most a small regular file.
        guard status.st_mode & S_IFMT == S_IFREG, status.st_size <= 65_536 else {
            throw PostgresStoreError("\(path) is not a regular file of at most 64 KiB holding a connection string")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw PostgresStoreError(
                "\(path) may be read by others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PostgresStoreError("cannot read \(path) as UTF-8 text")
        }
        try self.init(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// What went wrong with the shared store, in words for the operator.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// `error` (from PostgresNIO, whose own description hides everything) in words: the
    /// server's message and SQLSTATE, or what kept the connection from working.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
