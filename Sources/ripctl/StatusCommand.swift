import ArgumentParser
import RipClient

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show whether ripd is serving, its version, paths and counters.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client, output in
            let health = try await client.health()
            let info = try await client.info()
            let artifacts = try await client.artifactStats()
            let store = try await Self.storeFields(info, client)
            try output.emit(info) {
                Output.fields(
                    [
                    ("ripd", "\(info.version) \(health.status)"),
                    ("pid", "\(info.pid)"),
                    ("uptime", "\(info.uptimeSeconds)s"),
                    ("socket", info.socketPath),
                    ("connections", "\(info.connectionsOpen) open, \(info.connectionsTotal) total"),
                    ("requests", "\(info.requestsTotal)"),
                    ("sessions", "\(info.sessions)"),
                    ("jobs", "\(info.jobs) (\(info.jobsQueued) queued, \(info.jobsRunning) running, \(info.claimsWaiting) claims waiting)"),
                    ("artifacts", "\(artifacts.artifacts) in \(artifacts.blobs) blobs: \(artifacts.logicalBytes) bytes, \(artifacts.physicalBytes) on disk"),
                    ] + store)
            }
        }
    }

    /// The store and its health, as `ripctl status` and `ripctl admin store` show them: the
    /// write-ahead log of the embedded store, or the shared store's health (it has no log of
    /// the daemon's own).
    static func storeFields(_ info: RipInfoResponse, _ client: RipClient) async throws -> [(String, String)] {
        let health = info.hasSharedStore ? fields(info.sharedStore) : AdminCommand.fields(try await client.walInfo())
        return [("store", info.store.isEmpty ? "embedded" : info.store), ("data dir", info.dataDir.isEmpty ? "-" : info.dataDir)] + health
    }

    /// A shared store's health.
    static func fields(_ health: RipSharedStoreHealth) -> [(String, String)] {
        [
            ("store health", health.reachable ? "reachable" : "UNREACHABLE: \(health.lastError)"),
            ("schema", "version \(health.schemaVersion)"),
            ("snapshot", health.snapshotSequence == 0 ? "none yet" : "changes up to \(health.snapshotSequence)"),
            ("shared log", "\(health.logHead) changes applied here; \(health.changesWritten) written by this daemon"),
            ("write turns", "\(health.writeTurns) (the last took \(health.lastTurnUs) µs); \(health.catchUps) catch-ups"),
            ("duties", health.holdsDuties ? "this daemon (sweeps, schedules, webhooks)" : "another daemon"),
        ]
    }
}
