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
            let log = try await client.walInfo()
            let artifacts = try await client.artifactStats()
            try output.emit(info) {
                Output.fields(
                    [
                    ("ripd", "\(info.version) \(health.status)"),
                    ("pid", "\(info.pid)"),
                    ("uptime", "\(info.uptimeSeconds)s"),
                    ("socket", info.socketPath),
                    ("data dir", info.dataDir),
                    ("connections", "\(info.connectionsOpen) open, \(info.connectionsTotal) total"),
                    ("requests", "\(info.requestsTotal)"),
                    ("sessions", "\(info.sessions)"),
                    ("jobs", "\(info.jobs) (\(info.jobsQueued) queued, \(info.jobsRunning) running, \(info.claimsWaiting) claims waiting)"),
                    ("artifacts", "\(artifacts.artifacts) in \(artifacts.blobs) blobs: \(artifacts.logicalBytes) bytes, \(artifacts.physicalBytes) on disk"),
                    ] + AdminCommand.fields(log))
            }
        }
    }
}
