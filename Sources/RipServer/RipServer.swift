import Foundation
import Logging
import NIOCore
import NIOPosix
import RipEngine
import RipProto
import RipStorage
import RipWire
import ServiceLifecycle
import Synchronization

/// The daemon's listener: binds the Unix socket, admits peers by their credentials, serves
/// every connection with a `ConnectionHandler`, and on graceful shutdown stops accepting,
/// ends open streams, waits for every connection to close and removes the socket.
public final class RipServer: Service {
    public let configuration: ServerConfiguration
    public let store: any StateEngine
    /// Parked `Claim` calls; the job sweeper serves them too.
    public let claims: ClaimDispatcher
    private let storage: Storage?
    private let contents: (any ContentStore)?
    private let uploads = UploadTable()
    private let isDefaultSocketPath: Bool
    /// The event loops that serve the socket; not the server's own to shut down.
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let statistics = ServerStatistics()
    private let streamTotal: StreamBufferTotal
    private let refusals = Refusals()
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    /// The descriptor socket's path once it is served (Info reports it).
    private let descriptorSocket = Mutex<String?>(nil)

    /// `group`: the event loops to serve on (ripd passes NIO's singleton group, which also
    /// runs its Swift tasks).
    public init(
        configuration: ServerConfiguration, store: any StateEngine, storage: Storage?, contents: (any ContentStore)?,
        isDefaultSocketPath: Bool, group: MultiThreadedEventLoopGroup, logger: Logger
    ) {
        self.configuration = configuration
        self.group = group
        self.store = store
        self.claims = ClaimDispatcher(store: store, maxParked: configuration.connectionLimits.maxParkedClaims)
        self.storage = storage
        self.contents = contents
        self.isDefaultSocketPath = isDefaultSocketPath
        self.logger = logger
        streamTotal = StreamBufferTotal(limit: configuration.connectionLimits.totalStreamBufferBytes)
    }

    public func run() async throws {
        if let contents { store.releaseBlobs(with: ArtifactMethods.releaser(contents, store: store)) }
        try await serve()
    }

    private func serve() async throws {
        let path = configuration.socketPath
        let policy = configuration.peerPolicy
        try await SocketFile.prepare(
            path: path, isDefaultPath: isDefaultSocketPath, admitsOthers: policy.admitsOthers, group: group)
        let methods = makeMethodTable()
        let serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Out of descriptors (EMFILE): stop accepting for a moment instead of spinning.
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler()) }
            }
            .childChannelOption(.writeBufferWaterMark, value: configuration.connectionLimits.writeBuffer)
            .childChannelInitializer { [self] channel in
                self.initialize(channel, methods: methods, policy: policy)
            }
            .bind(unixDomainSocketPath: path)
            .get()
        try SocketFile.restrict(path: path, admitsOthers: policy.admitsOthers)
        let descriptors = serveDescriptors(loop: group.next())
        let idle = configuration.artifactLimits.uploadIdleTimeout
        let every = TimeAmount(idle / 4)
        let uploadSweep = group.next().scheduleRepeatedTask(initialDelay: every, delay: every) { [self] _ in
            Task {
                let dropped = await ArtifactMethods.dropInterrupted(uploads, contents: contents, idle: idle)
                if dropped > 0 { logger.info("dropped interrupted uploads", metadata: ["count": "\(dropped)"]) }
                // Uploads of a daemon that died, on a store shared with others: twice the idle time.
                if store.holdsDuties { await contents?.collect(idle: idle * 2) }
            }
        }
        defer { uploadSweep.cancel() }
        logger.info("ripd listening", metadata: ["socket": "\(path)", "data-dir": "\(configuration.dataDirectory)"])

        try? await gracefulShutdown()

        logger.info("shutting down: no new connections; finishing open calls")
        try? await serverChannel.close()
        await descriptors?.stop()
        claims.close()
        let open = connections.withLock { Array($0.values) }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        for channel in open {
            try? await channel.closeFuture.get()
        }
        try? FileManager.default.removeItem(atPath: path)
        logger.info("ripd stopped", metadata: ["connections-served": "\(statistics.connectionsTotal)"])
    }

    /// Starts the descriptor socket beside the main one, where there are artifact contents to
    /// move and its path fits; a daemon that cannot serve it serves the chunked calls alone.
    private func serveDescriptors(loop: any EventLoop) -> DescriptorServer? {
        guard let contents, let path = DescriptorServer.path(besides: configuration.socketPath) else { return nil }
        let files = ArtifactFiles(store: store, contents: contents, uploads: uploads, limits: configuration.artifactLimits, loop: loop)
        do {
            let server = try DescriptorServer(
                path: path, policy: configuration.peerPolicy, maxFrameBytes: configuration.maxFrameBytes, files: files, logger: logger)
            server.start()
            descriptorSocket.withLock { $0 = path }
            return server
        } catch {
            logger.warning("no descriptor socket; artifacts move in chunks only", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
    }

    private func makeMethodTable() -> MethodTable {
        var table = MethodTable(turns: store)
        SessionMethods(
            store: store,
            limit: .with {
                $0.maxSessions = configuration.maxSessions
                $0.evictLru = configuration.evictLeastRecentlyUsed
            }
        ).register(in: &table)
        CookieMethods(store: store, policy: configuration.cookiePolicy).register(in: &table)
        JobMethods(
            store: store, claims: claims, policy: configuration.jobPolicy,
            suffixes: configuration.cookiePolicy.parser.publicSuffixes
        ).register(in: &table)
        ScheduleMethods(store: store, webhooks: configuration.jobPolicy.webhooks).register(in: &table)
        ArtifactMethods(store: store, contents: contents, uploads: uploads, limits: configuration.artifactLimits)
            .register(in: &table)
        AdminMethods(
            configuration: configuration, store: store, storage: storage, statistics: statistics, claims: claims, startedAt: .now,
            descriptorSocket: { [weak self] in self?.descriptorSocket.withLock { $0 } ?? "" })
            .register(in: &table)
        return table
    }

    /// Serves `channel` as one of this daemon's connections, with no socket or peer check: the
    /// same frame decoder, method table and connection handler (in-process tests, the fuzzer).
    /// Artifact contents need a content store and are unavailable without one.
    public func serve(inProcess channel: any Channel) throws {
        try installConnection(on: channel, methods: makeMethodTable())
    }

    /// The handlers of an admitted connection: frames in, calls dispatched, replies out.
    private func installConnection(on channel: any Channel, methods: MethodTable) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes)))
        try pipeline.addHandler(ConnectionHandler(
            methods: methods, statistics: statistics, limits: configuration.connectionLimits, streamTotal: streamTotal,
            logger: logger))
    }

    /// Runs on the new channel's event loop: checks the peer, then installs the codec and the
    /// connection handler, or a refusal.
    private func initialize(_ channel: any Channel, methods: MethodTable, policy: PeerPolicy) -> EventLoopFuture<Void> {
        PeerCredentials.of(channel).flatMapThrowing { [self] peer in
            let pipeline = channel.pipeline.syncOperations
            guard policy.admits(peer) else {
                logger.warning("refused connection", metadata: ["peer": "\(peer)"])
                try pipeline.addHandler(RefusalHandler(refusals, .init(
                    .permissionDenied, "uid \(peer.uid) may not use this ripd; its owner can admit it with --allow-uid \(peer.uid)")))
                return
            }
            let id = ObjectIdentifier(channel)
            let limit = configuration.connectionLimits.maxConnections
            let admitted = connections.withLock { connections in
                guard connections.count < limit else { return false }
                connections[id] = channel
                return true
            }
            guard admitted else {
                logger.warning("refused connection: at --max-connections", metadata: ["peer": "\(peer)", "limit": "\(limit)"])
                try pipeline.addHandler(RefusalHandler(refusals, .resourceExhausted(
                    "ripd serves at most \(limit) connections at once (--max-connections); close idle ones or retry later")))
                return
            }
            statistics.connectionOpened()
            channel.closeFuture.whenComplete { [self] _ in
                connections.withLock { $0[id] = nil }
                statistics.connectionClosed()
            }
            try installConnection(on: channel, methods: methods)
        }
    }
}
