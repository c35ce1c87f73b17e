#if canImport(Glibc)
import Glibc
#endif
import CRipDescriptors
import NIOCore

/// One connection of ripd's descriptor socket (PROTOCOL.md, "The descriptor socket"): the
/// frames of the main socket, sent and received with blocking calls, each able to carry one
/// file descriptor (SCM_RIGHTS), so an artifact's file crosses as a descriptor instead of as
/// framed bytes. The daemon serves it on its own threads; clients call it off their event loops.
/// A frame has `timeout` to go out or come in whole, so a stalled peer cannot hold a thread.
public final class DescriptorSocket: Sendable {
    public let descriptor: Int32
    /// How long one frame may take to arrive (from the first wait for it) or to go out.
    private let timeout: Duration

    /// Takes over the connected socket `descriptor` (closed with this).
    public init(descriptor: Int32, timeout: Duration) {
        self.descriptor = descriptor
        self.timeout = timeout
    }

    /// Connects to the descriptor socket at `path`.
    public convenience init(connectingTo path: String, timeout: Duration) throws {
        let descriptor = try Self.unixSocket(at: path, "cannot connect to the descriptor socket \(path)", connect)
        self.init(descriptor: descriptor, timeout: timeout)
    }

    /// A listening socket bound at `path` (the daemon's side; nothing may be there).
    public static func listening(at path: String) throws -> Int32 {
        let listener = try unixSocket(at: path, "cannot bind the descriptor socket \(path)", bind)
        guard listen(listener, 64) == 0 else {
            let error = failure("cannot listen on the descriptor socket \(path)")
            close(listener)
            throw error
        }
        return listener
    }

    /// Whether `path` fits in a Unix socket address.
    public static func fits(_ path: String) -> Bool {
        path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
    }

    /// A new Unix stream socket (close-on-exec), `attach`ed (connect or bind) to the address `path`.
    private static func unixSocket(
        at path: String, _ what: String, _ attach: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) throws -> Int32 {
        guard fits(path) else { throw RipError.invalidArgument("the descriptor socket path is too long: \(path)") }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("cannot create a socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let attached = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { attach(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard attached == 0 else {
            let error = failure(what)
            close(descriptor)
            throw error
        }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Whether the peer closed its end (or the connection failed): nothing more will come, and
    /// a reply would not be read.
    public var peerClosed: Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    /// The credentials of the process on the other end.
    public var peer: PeerCredentials? { PeerCredentials.of(descriptor: descriptor) }

    /// Sends `frame` whole within the timeout, with `attached` riding on its first bytes. The
    /// descriptor stays open here: the receiver gets its own.
    public func send(_ frame: ByteBuffer, attaching attached: Int32? = nil) throws {
        let deadline = ContinuousClock.now + timeout
        try frame.withUnsafeReadableBytes { bytes in
            var offset = 0
            var attaching = attached ?? -1
            while offset < bytes.count {
                try wait(for: Int16(POLLOUT), until: deadline, "sending on the descriptor socket")
                let sent = rip_send_with_descriptor(descriptor, bytes.baseAddress! + offset, bytes.count - offset, attaching)
                guard sent > 0 else { throw Self.failure("cannot send on the descriptor socket") }
                offset += sent
                attaching = -1
            }
        }
    }

    /// Receives one frame's payload (at most `maxBytes`) and the descriptor that came with it,
    /// the whole frame within the timeout; nil when the peer closed the connection between
    /// frames. The caller owns the descriptor. RESOURCE_EXHAUSTED for a frame over `maxBytes`,
    /// or one whose descriptor this process had no room for.
    public func receive(maxBytes: Int) throws -> (payload: [UInt8], descriptor: Int32?)? {
        let deadline = ContinuousClock.now + timeout
        var received: Int32 = -1
        var lost: Int32 = 0
        do {
            var header = [UInt8](repeating: 0, count: 4)
            guard try read(into: &header, descriptor: &received, lost: &lost, until: deadline, endAllowed: true) else { return nil }
            let length = header.reduce(0) { $0 << 8 | Int($1) }
            guard length <= maxBytes else {
                throw RipError.resourceExhausted("a frame of \(length) bytes is over the limit of \(maxBytes)")
            }
            var payload = [UInt8](repeating: 0, count: length)
            _ = try read(into: &payload, descriptor: &received, lost: &lost, until: deadline, endAllowed: false)
            guard lost == 0 else {
                throw RipError.resourceExhausted("the descriptor sent with the frame was lost: this process is out of file descriptors")
            }
            return (payload, received >= 0 ? received : nil)
        } catch {
            if received >= 0 { close(received) }
            throw error
        }
    }

    /// Fills `buffer`; false when the connection ended before its first byte and `endAllowed`.
    private func read(
        into buffer: inout [UInt8], descriptor received: inout Int32, lost: inout Int32, until deadline: ContinuousClock.Instant,
        endAllowed: Bool
    ) throws -> Bool {
        var filled = 0
        while filled < buffer.count {
            try wait(for: Int16(POLLIN), until: deadline, "receiving on the descriptor socket")
            let count = buffer.withUnsafeMutableBytes { bytes in
                rip_receive_with_descriptor(descriptor, bytes.baseAddress! + filled, bytes.count - filled, &received, &lost)
            }
            if count < 0 { throw Self.failure("cannot receive on the descriptor socket") }
            if count == 0 {
                if filled == 0 && endAllowed { return false }
                throw RipError.unavailable("the descriptor socket closed in the middle of a frame")
            }
            filled += count
        }
        return true
    }

    /// Waits until the socket is ready for `events` or `deadline` passes (UNAVAILABLE).
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant, _ what: String) throws {
        while true {
            let left = deadline - .now
            guard left > .zero else { throw RipError.unavailable("\(what): timed out after \(timeout)") }
            var watched = pollfd(fd: descriptor, events: events, revents: 0)
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            let ready = poll(&watched, 1, Int32(clamping: milliseconds))
            if ready > 0 || (ready < 0 && errno != EINTR) { return }  // ready, hung up or failed: the call says which
        }
    }

    private static func failure(_ what: String) -> RipError {
        RipError.unavailable("\(what): \(String(cString: strerror(errno)))")
    }
}

extension DescriptorSocket {
    /// Copies `length` bytes from offset 0 of the file `from` (a descriptor `Open` gave) to `to`
    /// at its offset, in the kernel where the two allow it; returns the bytes copied, fewer when
    /// `from` ended first.
    public static func copy(from: Int32, to: Int32, length: UInt64) throws -> UInt64 {
        let copied = rip_copy_file(from, to, length)
        guard copied >= 0 else { throw RipError.unavailable("cannot copy the artifact's file: \(String(cString: strerror(errno)))") }
        return UInt64(copied)
    }
}
