import Foundation
import RipProto

/// A blocking Unix-socket connection that speaks raw frames, for tests of the framing itself
/// (garbage, oversize, split writes) that a well-behaved client cannot produce.
final class RawConnection: @unchecked Sendable {
    // @unchecked: only the descriptor is shared, and one thread writing while another reads a
    // socket is what sockets allow.
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Ends both directions: a `send` blocked on a peer that stopped reading returns.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            offset += written
        }
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    }

    static func request(_ id: UInt64, _ method: String, _ payload: [UInt8] = [], cancel: Bool = false) throws -> [UInt8] {
        let request = RipRequest.with {
            $0.id = id
            $0.method = method
            $0.payload = Data(payload)
            $0.cancel = cancel
        }
        return frame(try request.serializedBytes())
    }

    /// The next response, or nil at end of stream or after 10 s without one. It waits on a
    /// thread of its own: the tests' tasks share as many threads as there are cores, and one
    /// blocked read there stalls every test in the process (a stall of 30 s let leases of
    /// other tests run out).
    func receive() async throws -> RipResponse? { try await onOwnThread { try self.receiveBlocking() } }

    /// `receive`, blocking the calling thread: only for a thread of the test's own
    /// (`onOwnThread`), as when reading many replies in a row.
    func receiveBlocking() throws -> RipResponse? {
        guard let header = read(4) else { return nil }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let body = read(length) else { return nil }
        return try RipResponse(serializedBytes: body)
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes[offset...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return nil }
            offset += n
        }
        return bytes
    }
}
