import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import RipCore
import RipEngine
import RipPostgres
import RipServer
import RipStorage
import RipWebhooks
import RipWire
import ServiceLifecycle

@main
struct Ripd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ripd",
        abstract: "The ripd state daemon: sessions for scraping and automation stacks, over a Unix socket.",
        discussion: "`ripd` alone is `ripd serve`; `ripd serve --help` lists the daemon's options.",
        version: RipDefaults.version,
        subcommands: [Serve.self, Check.self, Migrate.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    /// Every option's default is the configuration's own, so each is written once.
    private static let defaults = ServerConfiguration(socketPath: "", dataDirectory: "")
    private static let storageDefaults = Storage.Configuration(directory: "")

    static let configuration = CommandConfiguration(
        abstract: "Serve sessions on the Unix socket (the default command).",
        discussion: """
            ripd serves length-prefixed protobuf RPCs (see PROTOCOL.md) on a Unix domain socket. Only \
            root and the daemon's own user may connect unless --allow-uid/--allow-gid admit others. \
            Every acknowledged change is in the write-ahead log under --data-dir first (see --fsync).
            SIGTERM or SIGINT stops it gracefully: no new connections, open calls finished, log synced, \
            socket removed.

            Examples:
              ripd                                   # default socket and data directory
              ripd --socket /tmp/r.sock --log-level debug
              ripd --fsync everysec --max-sessions 500 --session-limit-policy evict-lru
            """
    )

    @Option(help: ArgumentHelp(
        "Socket path.", discussion: "Default: $RIPD_SOCKET, else $XDG_RUNTIME_DIR/ripd/ripd.sock, else /tmp/ripd-$UID/ripd.sock."))
    var socket: String?

    @Option(help: ArgumentHelp("State directory.", discussion: "Default: $XDG_STATE_HOME/ripd, else ~/.local/state/ripd."))
    var dataDir: String?

    @OptionGroup var store: StoreOptions

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Largest frame accepted, in bytes; a larger declared length gets RESOURCE_EXHAUSTED.")
    var maxFrameBytes: Int = RipDefaults.maxFrameBytes

    @Option(name: .customLong("allow-uid"), help: "Also admit peers with this uid (repeatable).")
    var allowUIDs: [UInt32] = []

    @Option(name: .customLong("allow-gid"), help: "Also admit peers with this primary gid (repeatable).")
    var allowGIDs: [UInt32] = []

    @Option(help: "Most sessions kept at once.")
    var maxSessions: UInt64 = Self.defaults.maxSessions

    @Option(help: "At --max-sessions: reject (RESOURCE_EXHAUSTED) or evict-lru.")
    var sessionLimitPolicy: SessionLimitPolicy = .reject

    @Option(help: "Seconds between sweeps that remove expired sessions.")
    var cleanupInterval: UInt64 = Self.defaults.cleanupIntervalSeconds

    @Option(help: "Event-loop threads, which serve the socket and also run ripd's tasks (default: one per core).")
    var threads: Int?

    @Option(help: ArgumentHelp(
        "When a change is durable before it is acknowledged: always, everysec or never.",
        discussion: """
            always: after fdatasync of its batch (nothing acknowledged is ever lost). everysec: after \
            write(2), with an fdatasync every second (a machine crash loses up to a second). never: after \
            write(2), the kernel flushes when it likes.
            """))
    var fsync: FsyncPolicy = .always

    @Option(help: "Start a new write-ahead log segment past this many bytes.")
    var walSegmentBytes: Int = Self.storageDefaults.log.segmentBytes

    @Option(help: "Take a snapshot once the log has grown this many bytes since the last one.")
    var snapshotAfterBytes: Int = Self.storageDefaults.snapshotAfterBytes

    @Option(help: ArgumentHelp(
        "Public Suffix List file (publicsuffix.org format) cookie Domain attributes are checked against.",
        discussion: "Default: the copy bundled with ripd, from Debian's publicsuffix package."))
    var publicSuffixList: String?

    @Option(help: "Most cookies a jar keeps per domain; the least recently used non-secure ones go first.")
    var cookiesPerDomain: Int = Self.defaults.cookiePolicy.limits.perDomain

    @Option(help: "Most cookies a session's jar keeps in all.")
    var cookiesTotal: Int = Self.defaults.cookiePolicy.limits.total

    @Option(help: "Hours a finished job and its logs are kept (fractions allowed).")
    var jobRetention: Double = Double(Self.defaults.jobPolicy.retentionMs) / 3_600_000

    @Option(help: "Hours a dead job (its retries used up) is kept for inspection and `ripctl job dead kick`.")
    var deadRetention: Double = Double(Self.defaults.jobPolicy.deadRetentionMs) / 3_600_000

    @Option(help: "Most jobs held at once, finished and dead ones included until their retention ends; a SubmitJob past it gets RESOURCE_EXHAUSTED.")
    var maxJobs: UInt64 = Self.defaults.jobPolicy.maxJobs

    @Option(help: "Log lines kept per job; the oldest are dropped (and counted) beyond it.")
    var maxLogLines: UInt32 = Self.defaults.jobPolicy.maxLogLines

    @Option(help: "Milliseconds the first retry of a failed job waits; each later retry doubles it (with jitter, up to an hour).")
    var retryBackoff: UInt64 = Self.defaults.jobPolicy.backoff.baseMs

    @Option(help: ArgumentHelp(
        "Allow job webhooks to this place (repeatable); none by default: no webhooks.",
        discussion: """
            PATTERN is http[s]://HOST[:PORT][/PATH-GLOB]. HOST is a name or an address, compared \
            exactly (IPv6 in brackets), or *.NAME for any name under NAME; PORT is a number or *, \
            the scheme's default port without one; PATH-GLOB, when given, is a glob (* also \
            matches /) that the URL's path and query must match. Examples: \
            'https://hooks.example.com/ripd/*', 'http://127.0.0.1:9000', 'https://*.example.org:*'.
            """,
        valueName: "pattern"))
    var webhookAllow: [String] = []

    @Option(help: "Attempts to deliver one finished job's summary to its webhook before ripd gives up (1–100).")
    var webhookAttempts: UInt32 = Self.defaults.jobPolicy.webhooks.maxAttempts

    @Option(help: "Seconds one webhook attempt may take, connecting included (0.1–300).")
    var webhookTimeout: Double = Double(Self.defaults.jobPolicy.webhooks.timeoutMs) / 1000

    @Option(help: "Largest artifact, in bytes; a larger upload gets RESOURCE_EXHAUSTED.")
    var maxArtifactBytes: UInt64 = Self.defaults.artifactLimits.maxArtifactBytes

    @Option(help: "Most artifacts one session or job holds.")
    var maxArtifactsPerOwner: Int = Self.defaults.artifactLimits.maxPerOwner

    @Option(help: "Bytes the blob store may take on disk in all.")
    var artifactQuota: UInt64 = Self.defaults.artifactLimits.quotaBytes

    @Option(help: "Store artifacts larger than this many bytes deflated, when that saves space.")
    var compressOver: UInt64 = Self.defaults.artifactLimits.compressOver

    @Option(help: "Seconds after which an upload with no call is dropped (its client went away).")
    var uploadIdleTimeout: Double = Double(Self.defaults.artifactLimits.uploadIdleTimeout.components.seconds)

    @Option(help: ArgumentHelp(
        "Connections served at once; one more is answered RESOURCE_EXHAUSTED and closed.",
        discussion: "Lowered at start, with a warning, to what the open-file limit allows beside ripd's own files."))
    var maxConnections: Int = Self.defaults.connectionLimits.maxConnections

    @Option(help: "Calls whose replies are pending, per connection; at the cap ripd stops reading the connection until replies go out.")
    var maxCallsPerConnection: Int = Self.defaults.connectionLimits.maxCallsPerConnection

    @Option(help: "Bytes of stream messages a client may leave unread before its stream ends with RESOURCE_EXHAUSTED.")
    var streamBuffer: Int = Self.defaults.connectionLimits.streamBufferBytes

    @Option(help: "Stream messages a client may leave unread before its stream ends with RESOURCE_EXHAUSTED.")
    var streamBufferMessages: Int = Self.defaults.connectionLimits.streamBufferMessages

    @Option(help: "Bytes of stream messages all clients together may leave unread; past it, the streams furthest behind end.")
    var streamBufferTotal: Int = Self.defaults.connectionLimits.totalStreamBufferBytes

    @Flag(help: "Cut the log at the first corrupt record instead of refusing to start (loses what follows).")
    var repair = false

    enum SessionLimitPolicy: String, ExpressibleByArgument, CaseIterable {
        case reject
        case evictLRU = "evict-lru"
    }

    func validate() throws {
        guard (64...(1 << 30)).contains(maxFrameBytes) else {
            throw ValidationError("--max-frame-bytes must be between 64 and 1073741824, got \(maxFrameBytes)")
        }
        guard maxSessions > 0 else { throw ValidationError("--max-sessions must be at least 1") }
        guard cleanupInterval > 0 else { throw ValidationError("--cleanup-interval must be at least 1 second") }
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be 1–64, got \(threads)") }
        guard walSegmentBytes >= 4096 else { throw ValidationError("--wal-segment-bytes must be at least 4096") }
        guard snapshotAfterBytes >= 4096 else { throw ValidationError("--snapshot-after-bytes must be at least 4096") }
        for (flag, hours) in [("--job-retention", jobRetention), ("--dead-retention", deadRetention)] {
            guard hours >= 0, hours <= 10 * 366 * 24 else {
                throw ValidationError("\(flag) must be 0–87840 hours, got \(hours)")
            }
        }
        guard uploadIdleTimeout >= 0.1, uploadIdleTimeout <= 86400 else {
            throw ValidationError("--upload-idle-timeout must be 0.1–86400 seconds")
        }
        guard maxConnections >= 1, maxCallsPerConnection >= 1, streamBuffer >= 1024, streamBufferMessages >= 1,
            streamBufferTotal >= streamBuffer
        else {
            throw ValidationError(
                "--max-connections and --max-calls-per-connection must be at least 1, --stream-buffer at least 1024, "
                    + "--stream-buffer-messages at least 1, --stream-buffer-total at least --stream-buffer")
        }
        for pattern in webhookAllow {
            do {
                _ = try WebhookPattern(pattern)
            } catch let error as RipError {
                throw ValidationError(error.message)
            }
        }
        guard (1...100).contains(webhookAttempts) else {
            throw ValidationError("--webhook-attempts must be 1–100, got \(webhookAttempts)")
        }
        guard webhookTimeout >= 0.1, webhookTimeout <= 300 else {
            throw ValidationError("--webhook-timeout must be 0.1–300 seconds, got \(webhookTimeout)")
        }
        guard maxLogLines >= 1 else { throw ValidationError("--max-log-lines must be at least 1") }
        guard maxJobs >= 1 else { throw ValidationError("--max-jobs must be at least 1") }
        guard retryBackoff <= 3_600_000 else { throw ValidationError("--retry-backoff must be at most 3600000 ms") }
        guard cookiesPerDomain >= 1, cookiesTotal >= cookiesPerDomain else {
            throw ValidationError("--cookies-per-domain must be at least 1 and at most --cookies-total")
        }
    }

    func run() async throws {
        // Swift's tasks run on the loops that serve the socket (NIO's singleton group takes over
        // the global executor): a call's continuation resumes on the loop that completed it,
        // with no thread of a second pool to wake and hand the reply back.
        NIOSingletons.groupLoopCountSuggestion = threads ?? System.coreCount
        let tasksOnLoops = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ripd")
        if !tasksOnLoops { logger.notice("Swift's tasks run on their own threads: the event loops could not take over the global executor") }

        var configuration = ServerConfiguration(
            socketPath: socket ?? RipDefaults.socketPath(),
            dataDirectory: dataDir ?? RipDefaults.dataDirectory())
        configuration.maxFrameBytes = maxFrameBytes
        configuration.peerPolicy = PeerPolicy(allowedUIDs: Set(allowUIDs), allowedGIDs: Set(allowGIDs))
        configuration.maxSessions = maxSessions
        configuration.evictLeastRecentlyUsed = sessionLimitPolicy == .evictLRU
        configuration.cleanupIntervalSeconds = cleanupInterval
        configuration.jobPolicy.retentionMs = UInt64(jobRetention * 3_600_000)
        configuration.jobPolicy.deadRetentionMs = UInt64(deadRetention * 3_600_000)
        configuration.jobPolicy.maxLogLines = maxLogLines
        configuration.jobPolicy.maxJobs = maxJobs
        configuration.jobPolicy.backoff.baseMs = retryBackoff
        configuration.jobPolicy.webhooks.allow = try webhookAllow.map(WebhookPattern.init)
        configuration.jobPolicy.webhooks.maxAttempts = webhookAttempts
        configuration.jobPolicy.webhooks.timeoutMs = UInt64(webhookTimeout * 1000)
        configuration.connectionLimits.maxConnections = FileLimit.connections(wanted: maxConnections, logger: logger)
        configuration.connectionLimits.maxCallsPerConnection = maxCallsPerConnection
        configuration.connectionLimits.streamBufferBytes = streamBuffer
        configuration.connectionLimits.streamBufferMessages = streamBufferMessages
        configuration.connectionLimits.totalStreamBufferBytes = streamBufferTotal
        configuration.artifactLimits.maxArtifactBytes = maxArtifactBytes
        configuration.artifactLimits.maxPerOwner = maxArtifactsPerOwner
        configuration.artifactLimits.quotaBytes = artifactQuota
        configuration.artifactLimits.compressOver = compressOver
        configuration.artifactLimits.uploadIdleTimeout = .milliseconds(Int64(uploadIdleTimeout * 1000))
        let publicSuffixes: PublicSuffixList
        do {
            publicSuffixes = try publicSuffixList.map(PublicSuffixList.load(path:)) ?? .bundled
        } catch {
            throw ValidationError("cannot read --public-suffix-list \(publicSuffixList ?? ""): \(error.localizedDescription)")
        }
        guard publicSuffixes.ruleCount > 0 else {
            throw ValidationError("the Public Suffix List \(publicSuffixList ?? "bundled with ripd") holds no rules")
        }
        configuration.cookiePolicy = CookiePolicy(
            publicSuffixes: publicSuffixes,
            limits: CookieJar.Limits(perDomain: cookiesPerDomain, total: cookiesTotal))

        if let location = try store.location() {
            try await serveShared(location, configuration: configuration, logger: logger)
            return
        }
        var storageConfiguration = Storage.Configuration(directory: configuration.dataDirectory)
        storageConfiguration.log.policy = fsync
        storageConfiguration.log.segmentBytes = walSegmentBytes
        storageConfiguration.snapshotAfterBytes = snapshotAfterBytes
        storageConfiguration.repair = repair
        let started = ContinuousClock.now
        let storage = try Storage(configuration: storageConfiguration) { logger.warning("\($0)") }
        let recovered = storage.recovered
        logger.info(
            "recovered state",
            metadata: [
                "sessions": "\(recovered.state.sessions.count)", "jobs": "\(recovered.state.jobs.count)", "snapshot-sequence": "\(recovered.snapshotSequence)",
                "records-replayed": "\(recovered.recordsReplayed)", "segments": "\(recovered.segments)",
                "took": "\(ContinuousClock.now - started)", "fsync": "\(fsync.rawValue)",
            ])

        let blobs = try BlobStore(dataDirectory: configuration.dataDirectory)
        let garbage = blobs.collectGarbage { recovered.state.artifacts.holds($0) }
        if garbage.uploads + garbage.blobs > 0 {
            logger.info(
                "removed what a crash left in the blob store",
                metadata: ["unfinished-uploads": "\(garbage.uploads)", "unreferenced-blobs": "\(garbage.blobs)"])
        }
        let engine = EmbeddedEngine(state: recovered.state, journal: storage.log)
        storage.attach(engine)
        try await serve(
            engine, storage: storage, contents: FileContents(blobs: blobs, compressOver: configuration.artifactLimits.compressOver), before: StorageService(storage: storage, logger: logger),
            configuration: configuration, logger: logger)
    }

    /// Serves from a PostgreSQL store shared with other daemons: no data directory; artifact
    /// contents are in the database too.
    private func serveShared(_ location: PostgresLocation, configuration: ServerConfiguration, logger: Logger) async throws {
        let started = ContinuousClock.now
        let engine = try await PostgresEngine(
            location: location, timeout: store.timeout, snapshotRecords: store.storeSnapshotRecords, logger: logger)
        var configuration = configuration
        configuration.store = location.description
        configuration.dataDirectory = ""  // nothing is kept on this host's disk
        configuration.sharedStoreHealth = { engine.health() }
        let (sessions, jobs) = try engine.read { state, _ in (state.sessions.count, state.jobs.count) }
        logger.info(
            "joined the shared store",
            metadata: [
                "store": "\(location)", "schema-version": "\(Schema.version)", "records": "\(engine.head)",
                "sessions": "\(sessions)", "jobs": "\(jobs)", "took": "\(ContinuousClock.now - started)",
            ])
        do {
            let contents = SharedContents(
                location: location, uploadIdleTimeout: configuration.artifactLimits.uploadIdleTimeout, timeout: store.timeout * 3,
                logger: logger)
            defer { Task { await contents.close() } }
            try await serve(engine, storage: nil, contents: contents, before: engine, configuration: configuration, logger: logger) { server in
                // Jobs another daemon submitted or readied: parked claims here may take them.
                engine.onReadiedJobs { [claims = server.claims] in
                    guard claims.hasWaiters else { return }
                    engine.turn(.write, on: nil) { ready in if case .success = ready { claims.serve() } }
                }
            }
        } catch {
            await engine.close()
            throw error
        }
    }

    /// Serves `engine` until SIGTERM or SIGINT: the server, the sweepers and the webhook
    /// sender, with `before` started first and stopped last (it keeps the state reachable).
    private func serve(
        _ engine: any StateEngine, storage: Storage?, contents: any ContentStore, before: any Service,
        configuration: ServerConfiguration, logger: Logger, prepare: (RipServer) -> Void = { _ in }
    ) async throws {
        let server = RipServer(
            configuration: configuration, store: engine, storage: storage, contents: contents, isDefaultSocketPath: socket == nil,
            group: .singleton, logger: logger)
        prepare(server)
        let sweeper = SessionSweeper(store: engine, interval: .seconds(cleanupInterval), logger: logger)
        let jobSweeper = JobSweeper(
            store: engine, claims: server.claims, policy: configuration.jobPolicy,
            suffixes: configuration.cookiePolicy.parser.publicSuffixes, logger: logger)
        let webhookSender = WebhookSender(
            store: engine, policy: configuration.jobPolicy.webhooks,
            interval: .milliseconds(configuration.jobPolicy.sweepIntervalMs), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: before), .init(service: server), .init(service: sweeper), .init(service: jobSweeper),
                    .init(service: webhookSender),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension FsyncPolicy: ExpressibleByArgument {}
