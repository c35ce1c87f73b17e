import Foundation
import NIOCore
import NIOPosix
import RipProto
import RipWire
import SwiftProtobuf

/// An async/await client of ripd: one Unix-socket connection that carries many calls at once.
///
/// Calls are matched to responses by id, so any number may be in flight from any number of
/// tasks; server streams arrive as `RipStream`s. Every failure is a `RipError`: the daemon's
/// status for a failed call, UNAVAILABLE when no daemon is listening or the connection drops,
/// CANCELLED when the calling task is cancelled.
///
/// ```swift
/// let client = try await RipClient.connect()
/// let session = try await client.createSession(.with { $0.name = "crawl" })
/// ```
public final class RipClient: Sendable {
    private let channel: any Channel
    private let calls: CallRegistry
    /// Who serves the connection, as the kernel said when it was made, and where.
    let daemon: PeerCredentials
    let socketPath: String

    private init(channel: any Channel, calls: CallRegistry, daemon: PeerCredentials, socketPath: String) {
        self.channel = channel
        self.calls = calls
        self.daemon = daemon
        self.socketPath = socketPath
    }

    /// Connects to the daemon at `socketPath` (by default the one ripd uses by default).
    ///
    /// The daemon must run as this process's user or as root (the kernel says, SO_PEERCRED):
    /// a socket served by anyone else is refused with PERMISSION_DENIED unless its uid is in
    /// `trustedUIDs`, since whoever serves it would see every session, cookie and job.
    public static func connect(
        to socketPath: String = RipDefaults.socketPath(),
        timeout: TimeAmount = .seconds(5),
        maxFrameBytes: Int = RipDefaults.maxFrameBytes,
        trustedUIDs: Set<UInt32> = []
    ) async throws -> RipClient {
        let calls = CallRegistry()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
                        try pipeline.addHandler(ResponseRouter(calls: calls))
                    }
                }
                .connect(unixDomainSocketPath: socketPath)
                .get()
            let daemon: PeerCredentials
            do {
                daemon = try await PeerCredentials.of(channel).get()
            } catch {
                // Closed before we could ask who serves it: a refusal, whose status the
                // connection carried (PERMISSION_DENIED, RESOURCE_EXHAUSTED).
                try? await channel.closeFuture.get()
                throw calls.closedError ?? connectionError(error, socketPath: socketPath)
            }
            guard daemon.uid == 0 || daemon.uid == getuid() || trustedUIDs.contains(daemon.uid) else {
                try? await channel.close()
                throw RipError(
                    .permissionDenied,
                    "the ripd at \(socketPath) runs as uid \(daemon.uid), not as you (uid \(getuid())) or root; "
                        + "trust it explicitly (ripctl --trust-uid \(daemon.uid)) only if you know who runs it")
            }
            return RipClient(channel: channel, calls: calls, daemon: daemon, socketPath: socketPath)
        } catch let error as RipError {
            throw error
        } catch {
            throw connectionError(error, socketPath: socketPath)
        }
    }

    /// Says why a connection failed and what to do about it.
    private static func connectionError(_ error: any Error, socketPath: String) -> RipError {
        switch (error as? IOError)?.errnoCode {
        case ENOENT:
            return .unavailable("no ripd socket at \(socketPath); start ripd, or point --socket / RIPD_SOCKET at it")
        case ECONNREFUSED:
            return .unavailable("nothing is listening on \(socketPath) (a stale socket?); start ripd")
        case EACCES:
            return RipError(
                .permissionDenied,
                "no permission to connect to \(socketPath); ripd admits only its own user unless started with --allow-uid")
        default:
            return .unavailable("cannot reach ripd at \(socketPath): \(error)")
        }
    }

    /// Calls a unary method and waits for its reply.
    public func call<Request, Response>(_ method: RipMethod<Request, Response>, _ request: Request) async throws
        -> Response
    {
        let payload = try await callRaw(path: method.path, payload: request.serializedBytes())
        return try Response(serializedBytes: payload)
    }

    /// Calls a unary method by path with a serialized request; returns the serialized reply.
    public func callRaw(path: String, payload: Data) async throws -> Data {
        let id = calls.nextID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard calls.register(id, .unary(continuation)) else { return }
                send(id: id, method: path, payload: payload)
            }
        } onCancel: {
            if calls.fail(id, RipError(.cancelled, "the call was cancelled")) { sendCancel(id) }
        }
    }

    /// Starts a server stream. Iterating the result yields its messages; dropping or cancelling
    /// the iteration cancels the call on the daemon.
    public func stream<Request, Response>(_ method: RipMethod<Request, Response>, _ request: Request) async throws
        -> RipStream<Response>
    {
        RipStream(raw: streamRaw(path: method.path, payload: try request.serializedBytes()))
    }

    /// Starts a server stream by path with a serialized request; yields serialized messages.
    public func streamRaw(path: String, payload: Data) -> RipRawStream {
        let id = calls.nextID()
        let (messages, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        continuation.onTermination = { [self] _ in
            if calls.fail(id, RipError(.cancelled, "the stream was cancelled")) { sendCancel(id) }
        }
        if calls.register(id, .stream(continuation)) {
            send(id: id, method: path, payload: payload)
        }
        return RipRawStream(messages: messages) { continuation.finish() }
    }

    /// Closes the connection; calls still in flight fail with UNAVAILABLE.
    public func close() async {
        try? await channel.close()
    }

    private func sendCancel(_ id: UInt64) {
        send(id: id, method: "", payload: Data(), cancel: true)
    }

    private func send(id: UInt64, method: String, payload: Data, cancel: Bool = false) {
        var buffer = channel.allocator.buffer(capacity: 24 + method.utf8.count + payload.count)
        buffer.writeRequest(id: id, method: method, payload: payload, cancel: cancel)
        channel.writeAndFlush(buffer).whenFailure { [calls] error in
            _ = calls.fail(id, .unavailable("cannot send to ripd: \(error)"))
        }
    }
}
