#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOPosix
import RipProto
import RipWire
import SwiftProtobuf

/// Artifacts moved as file descriptors through the daemon's descriptor socket (PROTOCOL.md,
/// "The descriptor socket"): no bytes go through frames, so a local file moves at the speed of
/// the disk. Each call asks `Info` whether the daemon serves one, connects to it beside the
/// socket this client reached it by, and checks that the process serving the main socket (its
/// pid, SO_PEERCRED) serves it too. A daemon that serves none, or keeps the content otherwise
/// than as a plain file, answers FAILED_PRECONDITION: move the artifact in chunks then.
extension RipClient {
    /// Records the regular file open at `descriptor` as an artifact: the daemon reads it from
    /// offset 0 to its end through a descriptor of its own (the caller's stays open, its offset
    /// untouched). `request.commit` names it as `CommitUpload` would.
    public func putArtifactFile(_ request: RipPutArtifactFileRequest, descriptor: Int32) async throws -> RipArtifact {
        let reply = try await descriptorCall("/rip.v1.ArtifactFiles/Put", request, attaching: descriptor)
        if let extra = reply.descriptor { Glibc.close(extra) }
        return try RipArtifact(serializedBytes: reply.payload)
    }

    /// The artifact `request` names and a read-only descriptor of its content (`artifact.size`
    /// bytes from offset 0), which the caller closes.
    public func openArtifactFile(_ request: RipOpenArtifactFileRequest) async throws -> (artifact: RipArtifact, descriptor: Int32) {
        let reply = try await descriptorCall("/rip.v1.ArtifactFiles/Open", request, attaching: nil)
        guard let descriptor = reply.descriptor else {
            throw RipError.internalError("the daemon's Open reply carried no descriptor")
        }
        do {
            return (try RipOpenArtifactFileResponse(serializedBytes: reply.payload).artifact, descriptor)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    /// One call on the descriptor socket beside the socket this client connected to (the path
    /// it reached the daemon by; Info says whether one is served). Whatever fails before the
    /// daemon took the request (no socket, another process's, a refused connection) is
    /// FAILED_PRECONDITION: nothing was done, and the chunked calls can do it.
    private func descriptorCall(
        _ method: String, _ request: some SwiftProtobuf.Message, attaching descriptor: Int32?
    ) async throws -> (payload: Data, descriptor: Int32?) {
        guard try await !info().descriptorSocket.isEmpty else {
            throw RipError.failedPrecondition("this ripd serves no descriptor socket; move the artifact in chunks")
        }
        let (path, served) = (socketPath + ".fd", daemon)
        var frame = ByteBuffer()
        frame.writeRequest(id: 1, method: method, payload: try request.serializedBytes() as [UInt8])
        return try await NIOThreadPool.singleton.runIfActive { [frame] in
            let socket: DescriptorSocket
            do {
                socket = try DescriptorSocket(connectingTo: path, timeout: .seconds(600))
                // The same process as the main socket's, as the kernel names it here (in a
                // container that is not Info's pid, which the daemon's own namespace gives).
                guard let peer = socket.peer, peer.pid == served.pid else {
                    throw RipError.unavailable("it is not served by the ripd this client talks to (pid \(served.pid))")
                }
                try socket.send(frame, attaching: descriptor)
            } catch {
                throw RipError.failedPrecondition(
                    "the descriptor socket \(path) cannot be used (\((error as? RipError)?.message ?? "\(error)")); move the artifact in chunks")
            }
            guard let received = try socket.receive(maxBytes: RipDefaults.maxFrameBytes) else {
                throw RipError.unavailable("the descriptor socket closed before its reply")
            }
            do {
                let response = try RipResponse(serializedBytes: received.payload)
                if response.id == 0 && response.code != .ok {
                    // Refused as a connection (8 served at once, the peer not admitted).
                    throw RipError.failedPrecondition("the descriptor socket refused the connection (\(response.message)); move the artifact in chunks")
                }
                guard response.code == .ok else { throw RipError(response.code, response.message) }
                return (response.payload, received.descriptor)
            } catch {
                if let descriptor = received.descriptor { Glibc.close(descriptor) }
                throw error
            }
        }
    }
}
