import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import RipCore
import RipEngine
import RipProto
import RipServer
import RipWire

/// ripd's request path in one process, with no socket or disk: frames go in through the same
/// decoder, connection handler and method table a real connection uses, replies come out, and
/// every change is kept in a `MemoryJournal` so that replaying it can be checked against the
/// live state.
public final class InProcessDaemon {
    public let store: any StateEngine
    public let journal: MemoryJournal
    public let channel = EmbeddedChannel()
    private let server: RipServer

    public init(
        configuration: ServerConfiguration = ServerConfiguration(socketPath: "", dataDirectory: ""),
        journal: MemoryJournal = MemoryJournal()
    ) throws {
        self.journal = journal
        store = EmbeddedEngine(journal: journal)
        var logger = Logger(label: "ripd-in-process")
        logger.logLevel = .critical
        server = RipServer(
            configuration: configuration, store: store, storage: nil, contents: nil, isDefaultSocketPath: false,
            group: .singleton, logger: logger)
        try server.serve(inProcess: channel)
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/ripd-in-process")).wait()
    }

    /// Writes `bytes` as if a client sent them, runs what they started, and returns every
    /// response written back (frames as decoded; undecodable output is a failure).
    public func send(_ bytes: [UInt8]) throws -> [RipResponse] {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try channel.writeInbound(buffer)
        channel.embeddedEventLoop.run()
        var responses: [RipResponse] = []
        while var frame = try channel.readOutbound(as: ByteBuffer.self) {
            while frame.readableBytes >= 4, let length = frame.getInteger(at: frame.readerIndex, as: UInt32.self),
                frame.readableBytes >= 4 + Int(length)
            {
                frame.moveReaderIndex(forwardBy: 4)
                let payload = frame.readSlice(length: Int(length))!
                responses.append(try RipResponse(serializedBytes: Array(payload.readableBytesView)))
            }
        }
        return responses
    }

    /// A request frame, as a client writes it.
    public static func frame(id: UInt64, method: String, payload: [UInt8]) throws -> [UInt8] {
        let request: [UInt8] = try RipRequest.with {
            $0.id = id
            $0.method = method
            $0.payload = .init(payload)
        }.serializedBytes()
        let length = UInt32(request.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + request
    }

    /// The state rebuilt by applying every journaled mutation to an empty state, as recovery
    /// does; throws if one does not decode or apply.
    public func replayed() throws -> RipState {
        var state = RipState()
        for record in journal.mutations { _ = try state.apply(try RipMutation(serializedBytes: record)) }
        return state
    }

    /// The live state's snapshot.
    public func snapshot() throws -> RipSnapshot {
        try store.read { state, _ in state.snapshot(lastSequence: 0) }
    }

    /// Whether replaying the journal gives the live state, but for what is advisory and never
    /// logged (cookies' last-access times, which only order evictions); the two snapshots
    /// when it does not.
    public func replayMismatch() throws -> (replayed: RipSnapshot, live: RipSnapshot)? {
        let replayed = try replayed().snapshot(lastSequence: 0).withoutAdvisoryTimes
        let live = try snapshot().withoutAdvisoryTimes
        return replayed == live ? nil : (replayed, live)
    }

    deinit { _ = try? channel.finish() }
}

extension RipSnapshot {
    /// The snapshot without its cookies' last-access times.
    var withoutAdvisoryTimes: RipSnapshot {
        var snapshot = self
        for jar in snapshot.cookieJars.indices {
            for cookie in snapshot.cookieJars[jar].cookies.indices {
                snapshot.cookieJars[jar].cookies[cookie].clearLastAccessedAt()
            }
        }
        return snapshot
    }
}
