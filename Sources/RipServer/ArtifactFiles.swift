import Foundation
import NIOCore
import RipCore
import RipEngine
import RipProto
import RipWire
import SwiftProtobuf
import Synchronization

/// The calls of the descriptor socket (`DescriptorServer`), where an artifact's file crosses as
/// a descriptor: `Open` hands the client a read-only descriptor of a content kept as a plain
/// file, `Put` reads the regular file whose descriptor the client sent and records it as an
/// artifact with the rules of the chunked upload (`ArtifactMethods`). Each call runs on its
/// connection's own thread, which blocks on the file and on the store's async work.
struct ArtifactFiles: Sendable {
    static let open = "/rip.v1.ArtifactFiles/Open"
    static let put = "/rip.v1.ArtifactFiles/Put"

    let store: any StateEngine
    let contents: any ContentStore
    let uploads: UploadTable
    let limits: ArtifactLimits
    /// Where the store's replies are completed.
    let loop: any EventLoop

    /// Answers the call `method` with its payload and the descriptor that came with it (which
    /// the caller closes): the reply's payload and a descriptor to attach to it, which the
    /// caller closes once it is sent. `abandoned` says why a long call should give up now (the
    /// daemon stops, the client left), or nil.
    func answer(
        _ method: String, _ payload: [UInt8], descriptor: Int32?, abandoned: () -> RipError?
    ) throws -> (payload: Data, attached: Int32?) {
        switch method {
        case Self.open:
            let (reply, file) = try open(try Self.decode(RipOpenArtifactFileRequest.self, payload))
            do {
                return (try reply.serializedData(), file)
            } catch {
                close(file)
                throw error
            }
        case Self.put:
            let request = try Self.decode(RipPutArtifactFileRequest.self, payload)
            return (try put(request, from: descriptor, abandoned: abandoned).serializedData(), nil)
        default:
            throw RipError(.unimplemented,
                "the descriptor socket serves \(Self.open) and \(Self.put) only; call \(method.prefix(200)) on the main socket")
        }
    }

    private func open(_ request: RipOpenArtifactFileRequest) throws -> (RipOpenArtifactFileResponse, Int32) {
        let find = { try store.read { state, _ in
            try state.artifacts.find(request.artifactID, ownerID: try state.ownerID(request.owner))
        } }
        let artifact = try find()
        let layout = BlobLayout(encoding: BlobEncoding(rawValue: artifact.encoding) ?? .identity, storedSize: artifact.storedSize)
        let file: Int32?
        do {
            file = try contents.openFile(artifact.sha256, layout: layout)
        } catch {
            _ = try find()  // deleted meanwhile: NOT_FOUND, not the file's error
            throw error
        }
        guard let file else {
            throw RipError.failedPrecondition(
                "the content of \(artifact.id) is not kept as a plain file (stored \(layout.encoding.rawValue), or in a shared store); "
                    + "read it with ArtifactService/ReadArtifact")
        }
        return (.with { $0.artifact = artifact }, file)
    }

    private func put(_ request: RipPutArtifactFileRequest, from descriptor: Int32?, abandoned: () -> RipError?) throws -> RipArtifact {
        guard let descriptor else {
            throw RipError.invalidArgument("\(Self.put) needs the file's descriptor attached to its frame (SCM_RIGHTS)")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw RipError.invalidArgument(
                "the descriptor sent is not a regular file (a pipe, socket or device has no end to read to); "
                    + "send a file's, or upload it in chunks with BeginUpload")
        }
        let (contents, uploads, store, limits, loop) = (contents, uploads, store, limits, loop)
        var commit = request.commit
        commit.uploadID = ""
        try ArtifactRules.check(commit)
        let (ownerID, owner) = try ArtifactMethods.owner(request.owner, store: store, limits: limits)
        var upload = UploadTable.Upload(id: RipID.upload.generate(), ownerID: ownerID, owner: owner)
        let id = upload.id
        try Self.wait { try await contents.beginUpload(id) }
        do {
            while true {
                if let reason = abandoned() { throw RipError(reason.code, "\(reason.message); the Put was dropped") }
                let chunk = try Self.read(descriptor, at: upload.received)
                if chunk.isEmpty { break }
                switch try ArtifactMethods.room(for: chunk.count, in: upload, uploads: uploads, store: store, limits: limits) {
                case .fits: break
                case .tooBig(let error), .overQuota(let error): throw error
                }
                // The chunk is hashed here while the content store writes it.
                let written = Pending { try await contents.append(chunk, toUpload: id) }
                upload.hasher.update(data: chunk)
                do {
                    try written.wait()
                } catch {
                    throw RipError.unavailable("\((error as? RipError)?.message ?? "\(error)"); the Put was dropped")
                }
                upload.received += UInt64(chunk.count)
                uploads.receive(chunk.count)
            }
        } catch {
            let failed = upload
            Self.wait { await uploads.drop(failed, from: contents) }
            throw error
        }
        uploads.release(upload)
        let (finished, described) = (upload, commit)
        return try Self.wait {
            try await ArtifactMethods.finish(finished, described, contents: contents, store: store, limits: limits, loop: loop)
        }
    }

    /// Up to one chunk of the client's file from `offset`; empty at its end.
    private static func read(_ descriptor: Int32, at offset: UInt64) throws -> Data {
        var data = Data(count: RipLimits.Artifact.maxChunkBytes)
        let count = data.withUnsafeMutableBytes { buffer -> Int in
            var total = 0
            while total < buffer.count {
                let got = pread(descriptor, buffer.baseAddress! + total, buffer.count - total, off_t(offset) + off_t(total))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { return got < 0 ? -1 : total }
                total += got
            }
            return total
        }
        guard count >= 0 else {
            throw RipError.invalidArgument("cannot read the file sent: \(String(cString: strerror(errno)))")
        }
        data.count = count
        return data
    }

    private static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ payload: [UInt8]) throws -> M {
        do {
            return try M(serializedBytes: payload)
        } catch {
            throw RipError.invalidArgument("the payload is not a \(M.protoMessageName)")
        }
    }

    /// Runs `body` as a task and blocks this thread (a descriptor connection's own, never an
    /// event loop or a thread of the task pool) until it ends.
    private static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try Pending(body).wait()
    }

    private static func wait(_ body: @escaping @Sendable () async -> Void) {
        _ = try? Pending { () async throws -> Bool in
            await body()
            return true
        }.wait()
    }

    /// Async work started from a descriptor connection's thread, which goes on with its own
    /// work until it waits for the outcome.
    private final class Pending<T: Sendable>: Sendable {
        private let outcome = Mutex<Result<T, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping @Sendable () async throws -> T) {
            Task { [self] in
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                outcome.withLock { $0 = result }
                done.signal()
            }
        }

        func wait() throws -> T {
            done.wait()
            return try outcome.withLock { $0! }.get()
        }
    }
}
