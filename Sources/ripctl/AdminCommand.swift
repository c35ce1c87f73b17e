import ArgumentParser
import RipClient

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operate the daemon's storage: which store, snapshots and the write-ahead log.",
        subcommands: [Store.self, Snapshot.self, WalInfo.self])

    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which store the daemon uses and its health.",
            discussion: """
                The embedded store: the data directory and its write-ahead log. A shared store \
                (ripd --store postgresql://…): the database (never with its password), whether \
                it answers or the last error, the schema version, the newest snapshot, the shared \
                log applied here and written by this daemon, write turns and the last one's time, \
                and whether this daemon runs the duties. --json prints Info's store and shared_store.
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let info = try await client.info()
                let fields = try await StatusCommand.storeFields(info, client)
                try output.emit(info) { Output.fields(fields) }
            }
        }
    }

    struct Snapshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a snapshot now and drop the log segments it covers.",
            discussion: "The snapshot is written in the daemon's data directory, never at a path you choose.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let snapshot = try await client.snapshot()
                try output.emit(snapshot) {
                    String(format: "snapshot of changes up to %llu: %@ (%llu bytes, %.3f s)",
                        snapshot.lastSequence, snapshot.path, snapshot.bytes, snapshot.seconds)
                }
            }
        }
    }

    struct WalInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wal-info", abstract: "Segments, size, records since the last snapshot, last fsync, fsync policy.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let info = try await client.walInfo()
                try output.emit(info) { Output.fields(AdminCommand.fields(info)) }
            }
        }
    }

    static func fields(_ info: RipWalInfoResponse) -> [(String, String)] {
        [
            ("fsync", info.fsyncPolicy),
            ("segments", "\(info.segments) (\(info.bytes) bytes; new segment past \(info.segmentBytesLimit))"),
            ("next sequence", "\(info.nextSequence)"),
            ("snapshot", info.snapshotSequence == 0 ? "none yet" : "up to \(info.snapshotSequence)"),
            ("since snapshot", "\(info.recordsSinceSnapshot) records, \(info.bytesSinceSnapshot) bytes (next at \(info.snapshotAfterBytes))"),
            ("last fsync", info.hasLastFsync ? info.lastFsync.rfc3339 : "none since start"),
        ]
    }
}
