import ArgumentParser
import Foundation
import Logging
import RipPostgres

/// `--store` and `--store-file`: where the daemon's state lives.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where the state lives: embedded, or a PostgreSQL database shared with other ripd daemons.",
        discussion: """
            embedded (the default) keeps it in --data-dir's write-ahead log. \
            postgresql://USER[:PASSWORD]@[HOST][:PORT]/DATABASE[?host=/socket/dir] keeps it in \
            that database, where every ripd started with the same string sees the same sessions, \
            cookie jars, jobs and schedules (see README, "Several hosts"). The schema is created \
            or upgraded at start (`ripd migrate` does only that).
            """,
        valueName: "store"))
    var store: String = "embedded"

    @Option(help: ArgumentHelp(
        "Read --store's connection string from this file, which must be mode 0600.",
        discussion: "Keeps a password out of the command line, which `ps` shows to every user.",
        valueName: "path"))
    var storeFile: String?

    @Option(help: ArgumentHelp(
        "On a shared store: changes between the snapshots of the state saved in the database.",
        discussion: "The daemon that holds the duties saves one and cuts the log up to the snapshot before it; a daemon starts from the newest."))
    var storeSnapshotRecords: UInt64 = 100_000

    @Option(help: ArgumentHelp(
        "On a shared store: seconds one round trip to the database may take before the calls waiting on it get UNAVAILABLE.",
        discussion: """
            A query on a connection the server dropped can wait forever; past this bound the \
            daemon drops the connection, answers UNAVAILABLE and connects again. An artifact's \
            bytes get three times as long. Raise it for a database that is far away or heavily \
            loaded: a turn given up on costs a reload of the state from the database.
            """,
        valueName: "seconds"))
    var storeTimeout: Double = 10

    func validate() throws {
        guard (100...1_000_000_000).contains(storeSnapshotRecords) else {
            throw ValidationError("--store-snapshot-records must be 100–1000000000, got \(storeSnapshotRecords)")
        }
        guard storeTimeout >= 1, storeTimeout <= 3600 else {
            throw ValidationError("--store-timeout must be 1–3600 seconds, got \(storeTimeout)")
        }
        if storeFile != nil && store != "embedded" { throw ValidationError("give --store or --store-file, not both") }
        _ = try location()
    }

    /// `--store-timeout` as a duration.
    var timeout: Duration { .milliseconds(Int64(storeTimeout * 1000)) }

    /// The PostgreSQL store named, or nil for the embedded one.
    func location() throws -> PostgresLocation? {
        do {
            if let storeFile { return try PostgresLocation(file: storeFile).waitingLess(than: timeout) }
            return store == "embedded" ? nil : try PostgresLocation(store).waitingLess(than: timeout)
        } catch {
            throw ValidationError("--store: \(error.description)")
        }
    }
}

/// `ripd migrate`: brings a shared store's schema to this build's version and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the shared store's tables in PostgreSQL, then exit.",
        discussion: """
            `ripd serve --store postgresql://…` migrates at start too; run this to do it ahead of \
            time (one daemon migrates while the others wait for it). A database migrated by a \
            newer ripd is refused: exit status 1.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard try store.location() != nil else { throw ValidationError("ripd migrate needs --store postgresql://… or --store-file") }
    }

    func run() async throws {
        guard let location = try store.location() else { return }
        let logger = Logger(label: "ripd")
        let (from, to): (Int, Int)
        do {
            (from, to) = try await Schema.migrate(location, logger: logger)
        } catch {
            throw ValidationError("PostgreSQL store \(location): \(PostgresStoreError.describe(error))")
        }
        if json {
            let object: [String: Any] = ["store": location.description, "schema_version": to, "was": from]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(from == to ? "schema of \(location) at version \(to): nothing to do" : "schema of \(location) migrated from version \(from) to \(to)")
        }
    }
}
