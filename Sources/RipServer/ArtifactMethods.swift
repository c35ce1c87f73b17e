import Foundation
import NIOCore
import NIOPosix
import RipCore
import RipEngine
import RipProto
import RipStorage
import RipWire

/// The artifact store's limits.
public struct ArtifactLimits: Sendable {
    public var maxArtifactBytes: UInt64 = 4 << 30
    public var maxPerOwner = 1000
    /// Bytes all blobs may take on disk.
    public var quotaBytes: UInt64 = 64 << 30
    /// Contents larger than this are stored deflated when that saves space.
    public var compressOver: UInt64 = 10 * 1024
    /// An upload with no call for this long was interrupted: its bytes are dropped.
    public var uploadIdleTimeout: Duration = .seconds(600)

    public init() {}
}

/// The handlers of `rip.v1.ArtifactService`. The long file work (chunk writes, fsync and
/// rename, reads) runs on a thread pool; only creating and removing an upload's file (one
/// open or unlink) happen on the event loop. The state only records finished blobs.
struct ArtifactMethods {
    let store: any StateEngine
    let blobs: BlobStore?
    let uploads: UploadTable
    let limits: ArtifactLimits
    let pool: NIOThreadPool

    func register(in table: inout MethodTable) {
        typealias Service = RipArtifactService
        let store = self.store, uploads = self.uploads, limits = self.limits, pool = self.pool
        let blobStore = self.blobs
        let requireBlobs: @Sendable () throws -> BlobStore = {
            guard let blobStore else {
                throw RipError(.unimplemented, "this ripd keeps no artifact contents: a shared (PostgreSQL) store does not hold them yet")
            }
            return blobStore
        }

        table.changing(Service.beginUpload) { request, _ in
            let blobs = try requireBlobs()
            let (ownerID, owner) = try store.read { state, _ in
                let owner = try state.resolved(request.owner)
                let id = owner.resolvedID
                try state.artifacts.checkRoom(for: id, limit: limits.maxPerOwner)
                return (id, owner)
            }
            let id = RipID.upload.generate()
            let file = try Self.io { try blobs.createUpload(id: id) }
            do {
                try uploads.add(.init(id: id, ownerID: ownerID, owner: owner, path: file.path, descriptor: file.descriptor))
            } catch {
                blobs.discard(upload: file.path, descriptor: file.descriptor)
                throw error
            }
            return .now(.with { $0.uploadID = id })
        }
        table.changing(Service.appendUpload) { request, loop in
            let blobs = try requireBlobs()
            guard request.data.count <= RipLimits.Artifact.maxChunkBytes else {
                throw RipError.invalidArgument("a chunk is at most \(RipLimits.Artifact.maxChunkBytes) bytes, got \(request.data.count)")
            }
            let upload = try uploads.take(request.uploadID)
            guard request.offset == upload.received else {
                uploads.putBack(upload)
                throw RipError.failedPrecondition("upload \(upload.id) has \(upload.received) bytes; the next chunk starts there, not at \(request.offset)")
            }
            guard upload.received + UInt64(request.data.count) <= limits.maxArtifactBytes else {
                uploads.drop(upload, from: blobs)
                throw RipError.resourceExhausted("an artifact holds at most \(limits.maxArtifactBytes) bytes; upload \(upload.id) dropped")
            }
            // Uploads in progress count against the quota with the blobs already stored.
            let physical = try store.read { state, _ in state.artifacts.physicalBytes }
            let used = physical.saturatingAdd(uploads.bytesInProgress)
            guard used.saturatingAdd(UInt64(request.data.count)) <= limits.quotaBytes else {
                uploads.putBack(upload)
                throw RipError.resourceExhausted(
                    "the blob store holds \(physical) bytes and uploads in progress \(uploads.bytesInProgress) more; "
                        + "\(request.data.count) more would pass the quota of \(limits.quotaBytes) (upload \(upload.id) kept)")
            }
            let written = pool.runIfActive(eventLoop: loop) { () -> RipAppendUploadResponse in
                var upload = upload
                do {
                    try BlobStore.append(request.data, to: upload.descriptor)
                } catch {
                    uploads.drop(upload, from: blobs)
                    throw RipError.unavailable("\(error); upload \(upload.id) dropped")
                }
                upload.hasher.update(data: request.data)
                upload.received += UInt64(request.data.count)
                uploads.receive(request.data.count)
                uploads.putBack(upload)
                return .with { $0.received = upload.received }
            }
            return .later(written)
        }
        table.changing(Service.abortUpload) { request, _ in
            let upload = try uploads.take(request.uploadID)
            uploads.drop(upload, from: try requireBlobs())
            return .now(.init())
        }
        table.changing(Service.commitUpload) { request, loop in
            let blobs = try requireBlobs()
            try ArtifactRules.check(request)
            let upload = try uploads.take(request.uploadID)
            uploads.release(upload)  // from here the commit's own quota check counts it
            let sha256 = upload.hasher.finalize().hex
            guard request.expectedSha256.isEmpty || request.expectedSha256 == sha256 else {
                blobs.discard(upload: upload.path, descriptor: upload.descriptor)
                throw RipError(.dataLoss, "the content's SHA-256 is \(sha256), not \(request.expectedSha256); upload dropped")
            }
            let id = RipID.artifact.generate()
            let stored = pool.runIfActive(eventLoop: loop) {
                try blobs.store(
                    upload: upload.path, descriptor: upload.descriptor, sha256: sha256, size: upload.received,
                    compressOver: limits.compressOver
                ).layout
            }
            return .later(stored.flatMap { layout in
                defer { blobs.unpin(sha256) }
                do {
                    return try Self.record(
                        request, id: id, upload: upload, sha256: sha256, layout: layout, store: store, limits: limits,
                        loop: loop)
                } catch {
                    blobs.remove(sha256) { hash in (try? store.read { state, _ in state.artifacts.holds(hash) }) ?? true }
                    return loop.makeFailedFuture(error)
                }
            })
        }
        table.changing(Service.readArtifact) { request, loop in
            let blobs = try requireBlobs()
            let artifact = try store.read { state, _ in
                try state.artifacts.find(request.artifactID, ownerID: try state.ownerID(request.owner))
            }
            guard request.offset <= artifact.size else {
                throw RipError(.outOfRange, "offset \(request.offset) is past the end (\(artifact.size) bytes)")
            }
            let wanted = request.length == 0 ? RipLimits.Artifact.maxChunkBytes : min(Int(request.length), RipLimits.Artifact.maxChunkBytes)
            let length = Int(min(UInt64(wanted), artifact.size - request.offset))
            return .later(pool.runIfActive(eventLoop: loop) {
                let data = try blobs.read(
                    artifact.sha256, encoding: BlobEncoding(rawValue: artifact.encoding) ?? .identity, offset: request.offset,
                    length: length)
                return .with {
                    $0.data = data
                    $0.size = artifact.size
                }
            })
        }
        table.unary(Service.getArtifact) { request in
            try store.read { state, _ in try state.artifacts.find(request.artifactID, ownerID: try state.ownerID(request.owner)) }
        }
        table.unary(Service.queryArtifacts) { request in
            try store.read { state, _ in try state.artifacts.query(request, ownerID: try state.ownerID(request.owner)) }
        }
        table.unary(Service.artifactStats) { _ in
            try store.read { state, _ in state.artifacts.stats() }
        }
        table.changing(Service.deleteArtifact) { request, loop in
            _ = try requireBlobs()
            // The blob a delete releases is gone before the reply (EmbeddedEngine.releaseBlobs).
            return try store.commit(building: { state, _ in
                try .with {
                    $0.deleteArtifact = request
                    $0.deleteArtifact.owner = try state.resolved(request.owner)
                }
            }, on: loop) { applied in
                RipDeleteArtifactResponse.with {
                    $0.deleted = applied.artifacts.first ?? .init()
                    $0.blobRemoved = !applied.releasedBlobs.isEmpty
                }
            }
        }
    }

    /// Removes released blobs on `pool` once nothing holds them (an artifact committed since
    /// may hold the same content) and no upload is storing them.
    static func releaser(blobs: BlobStore, store: any StateEngine, pool: NIOThreadPool) -> BlobRelease {
        { [weak store] sha256s, done in
            guard let store else { return done() }  // the daemon is stopping
            pool.submit { _ in
                // Run even when the pool is stopping (state .cancelled): the change waits on it.
                for sha256 in sha256s {
                    blobs.remove(sha256) { hash in (try? store.read { state, _ in state.artifacts.holds(hash) }) ?? true }
                }
                done()
            }
        }
    }

    /// Drops the uploads whose clients went away (no call within the idle timeout); returns how
    /// many.
    static func dropInterrupted(
        _ uploads: UploadTable, blobs: BlobStore?, idle: Duration, now: ContinuousClock.Instant = .now
    ) -> Int {
        let stale = uploads.expire(idle: idle, now: now)
        for upload in stale { uploads.drop(upload, from: blobs) }
        return stale.count
    }

    /// Records the committed upload as an artifact, checking the owner and limits again under
    /// the writer lock; answers once the record is durable.
    private static func record(
        _ request: RipCommitUploadRequest, id: String, upload: UploadTable.Upload, sha256: String, layout: BlobLayout,
        store: any StateEngine, limits: ArtifactLimits, loop: any EventLoop
    ) throws -> EventLoopFuture<RipArtifact> {
        let reply = try store.commit(building: { state, now in
            let ownerID = try state.ownerID(upload.owner)
            try state.artifacts.checkRoom(for: ownerID, limit: limits.maxPerOwner)
            let physical = state.artifacts.physicalBytes
            if !state.artifacts.holds(sha256) && physical + layout.storedSize > limits.quotaBytes {
                throw RipError.resourceExhausted(
                    "the blob store holds \(physical) bytes; \(layout.storedSize) more would pass the quota of \(limits.quotaBytes)")
            }
            return .with {
                $0.createArtifact = .with {
                    $0.id = id
                    $0.owner = upload.owner
                    $0.name = request.name
                    $0.type = request.type == .unspecified ? .userInput : request.type
                    $0.contentType = request.contentType
                    $0.size = upload.received
                    $0.sha256 = sha256
                    $0.createdAt = .init(unixMillis: now)
                    $0.tags = request.tags
                    $0.metadata = request.metadata
                    $0.encoding = layout.encoding.rawValue
                    $0.storedSize = layout.storedSize
                }
            }
        }, on: loop) { applied in applied.artifacts.first ?? .init() }
        return reply.future(on: loop)
    }

    /// File-system errors as UNAVAILABLE with what failed.
    private static func io<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as BlobError {
            throw RipError.unavailable(error.description)
        }
    }
}
