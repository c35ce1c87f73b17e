import Foundation
import Logging
import NIOCore
import RipProto
import RipWire
import Synchronization

/// The descriptor socket beside the main one (PROTOCOL.md, "The descriptor socket"), where
/// frames can carry file descriptors, which NIO's stream channels cannot pass. It is served
/// with blocking calls: one thread accepts, and each admitted connection gets a thread of its
/// own that answers its calls one at a time (`ArtifactFiles`). At most `maxConnections` are
/// served at once; a connection idle, or a peer stalled mid-frame, for `timeout` is closed.
final class DescriptorServer: Sendable {
    static let maxConnections = 8
    static let timeout: Duration = .seconds(10)
    /// What the descriptor socket's path adds to the main socket's.
    static let suffix = ".fd"

    let path: String
    private let listener: Int32
    private let policy: PeerPolicy
    private let maxFrameBytes: Int
    private let files: ArtifactFiles
    private let logger: Logger
    private struct Served {
        /// The connections being served, so that `stop` can end them.
        var connections: Set<Int32> = []
        var stopping = false
        /// Resumed when the last connection's thread ends after `stop`.
        var drained: CheckedContinuation<Void, Never>?
    }
    private let served = Mutex(Served())

    /// Binds the socket at `path` (replacing a stale socket there; anything else there is an
    /// error) with the main socket's file mode.
    init(path: String, policy: PeerPolicy, maxFrameBytes: Int, files: ArtifactFiles, logger: Logger) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else { throw SocketFile.NotASocketError(path: path) }
            unlink(path)
        }
        let listener = try DescriptorSocket.listening(at: path)
        do {
            try SocketFile.restrict(path: path, admitsOthers: policy.admitsOthers)
        } catch {
            close(listener)
            unlink(path)
            throw error
        }
        self.path = path
        self.listener = listener
        self.policy = policy
        self.maxFrameBytes = maxFrameBytes
        self.files = files
        self.logger = logger
    }

    /// Where the descriptor socket of a daemon listening at `socketPath` goes; nil when that
    /// path would not fit in a socket address.
    static func path(besides socketPath: String) -> String? {
        let path = socketPath + suffix
        return DescriptorSocket.fits(path) ? path : nil
    }

    /// Starts accepting on a thread of its own.
    func start() {
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Whether `stop` was called: a `Put` reading a file gives up between chunks.
    var isStopping: Bool { served.withLock { $0.stopping } }

    /// Stops accepting and removes the socket file; connections waiting for a call are ended,
    /// and the calls being answered are waited for (a `Put` gives up between two chunks) up to
    /// `timeout`: one stuck in a read of a file that never returns (a hung network mount) is
    /// left behind rather than holding up the daemon's stop.
    func stop() async {
        let open = served.withLock { served in
            served.stopping = true
            return served.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
        // Their reads end; a reply on its way still goes out.
        for connection in open { shutdown(connection, Int32(SHUT_RD)) }
        await withCheckedContinuation { (drained: CheckedContinuation<Void, Never>) in
            let now = served.withLock { served in
                guard !served.connections.isEmpty else { return true }
                served.drained = drained
                return false
            }
            if now { return drained.resume() }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(Self.timeout.components.seconds))) { [self] in
                served.withLock { $0.drained.take() }?.resume()
            }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                let failure = errno
                if isStopping { return }
                if failure == EINTR || failure == ECONNABORTED { continue }
                // Out of descriptors (EMFILE) or memory, or anything else: back off, not spin.
                logger.warning("the descriptor socket cannot accept", metadata: ["error": "\(String(cString: strerror(failure)))"])
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let socket = DescriptorSocket(descriptor: connection, timeout: Self.timeout)
            let admitted = served.withLock { served -> Bool? in
                guard !served.stopping else { return nil }
                guard served.connections.count < Self.maxConnections else { return false }
                served.connections.insert(connection)
                return true
            }
            switch admitted {
            case nil: return
            case false?:
                refuse(socket, .resourceExhausted(
                    "the descriptor socket serves \(Self.maxConnections) connections at once; retry, or use the chunked calls"))
            case true?:
                Thread.detachNewThread { [self] in
                    serve(socket)
                    let drained = served.withLock { served in
                        served.connections.remove(connection)
                        return served.connections.isEmpty ? served.drained.take() : nil
                    }
                    drained?.resume()
                }
            }
        }
    }

    private func serve(_ socket: DescriptorSocket) {
        guard let peer = socket.peer, policy.admits(peer) else {
            logger.warning("refused descriptor connection", metadata: ["peer": "\(socket.peer.map { "\($0)" } ?? "unknown")"])
            return refuse(socket, RipError(.permissionDenied, "this uid may not use this ripd; its owner can admit it with --allow-uid"))
        }
        do {
            while let frame = try socket.receive(maxBytes: maxFrameBytes) {
                defer { if let descriptor = frame.descriptor { close(descriptor) } }
                try answer(frame, on: socket)
            }
        } catch let error as RipError where error.code == .resourceExhausted {
            refuse(socket, error)  // an oversize frame: the stream cannot be resynchronised
        } catch {
            logger.debug("descriptor connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func answer(_ frame: (payload: [UInt8], descriptor: Int32?), on socket: DescriptorSocket) throws {
        var reply = ByteBuffer()
        guard let request = try? RipRequest(serializedBytes: frame.payload) else {
            reply.writeResponse(id: 0, error: .invalidArgument("the frame is not a rip.v1.Request"))
            return try socket.send(reply)
        }
        let answer: (payload: Data, attached: Int32?)
        do {
            answer = try files.answer(request.method, Array(request.payload), descriptor: frame.descriptor) { [self] in
                if isStopping { return .unavailable("ripd is shutting down") }
                return socket.peerClosed ? RipError(.cancelled, "the client closed the connection") : nil
            }
        } catch {
            let failure = error as? RipError ?? .internalError("\(error)")
            reply.writeResponse(id: request.id, error: failure)
            return try socket.send(reply)
        }
        defer { if let attached = answer.attached { close(attached) } }
        reply.writeResponse(id: request.id, payload: answer.payload, endOfStream: true)
        try socket.send(reply, attaching: answer.attached)
    }

    private func refuse(_ socket: DescriptorSocket, _ error: RipError) {
        var reply = ByteBuffer()
        reply.writeResponse(id: 0, error: error)
        try? socket.send(reply)
    }
}
