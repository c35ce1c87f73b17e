import Foundation
import NIOCore
import RipCore
import RipEngine
import RipProto
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

/// The handlers of `rip.v1.ArtifactService`. The bytes go to the `ContentStore` (files, or
/// PostgreSQL with a shared store); the state only records finished contents. On a shared
/// store, chunks and commits take no turn of their own: a commit takes the write turn only to
/// record its artifact, once its content is kept.
struct ArtifactMethods {
    let store: any StateEngine
    let contents: (any ContentStore)?
    let uploads: UploadTable
    let limits: ArtifactLimits

    func register(in table: inout MethodTable) {
        typealias Service = RipArtifactService
        let store = self.store, uploads = self.uploads, limits = self.limits
        let contentStore = self.contents
        let requireContents: @Sendable () throws -> any ContentStore = {
            guard let contentStore else {
                throw RipError(.unimplemented, "this ripd keeps no artifact contents (it runs in process, with no store for them)")
            }
            return contentStore
        }

        table.changing(Service.beginUpload, turn: .read) { request, loop in
            let contents = try requireContents()
            let (ownerID, owner) = try Self.owner(request.owner, store: store, limits: limits)
            let id = RipID.upload.generate()
            return .later(loop.makeFutureWithTask {
                try await contents.beginUpload(id)
                do {
                    try uploads.add(.init(id: id, ownerID: ownerID, owner: owner))
                } catch {
                    await contents.dropUpload(id)
                    throw error
                }
                return .with { $0.uploadID = id }
            })
        }
        table.changing(Service.appendUpload, turn: nil) { request, loop in
            let contents = try requireContents()
            guard request.data.count <= RipLimits.Artifact.maxChunkBytes else {
                throw RipError.invalidArgument("a chunk is at most \(RipLimits.Artifact.maxChunkBytes) bytes, got \(request.data.count)")
            }
            let upload = try uploads.take(request.uploadID)
            guard request.offset == upload.received else {
                uploads.putBack(upload)
                throw RipError.failedPrecondition("upload \(upload.id) has \(upload.received) bytes; the next chunk starts there, not at \(request.offset)")
            }
            let room: Room
            do {
                room = try Self.room(for: request.data.count, in: upload, uploads: uploads, store: store, limits: limits)
            } catch {
                uploads.putBack(upload)
                throw error
            }
            switch room {
            case .fits: break
            case .tooBig(let error):
                return .later(loop.makeFutureWithTask {
                    await uploads.drop(upload, from: contents)
                    throw error
                })
            case .overQuota(let error):
                uploads.putBack(upload)
                throw error
            }
            return .later(loop.makeFutureWithTask {
                var upload = upload
                do {
                    try await contents.append(request.data, toUpload: upload.id)
                } catch {
                    await uploads.drop(upload, from: contents)
                    // NOT_FOUND: a shared store collected it as abandoned; else the store failed.
                    if let error = error as? RipError, error.code == .notFound { throw error }
                    throw RipError.unavailable("\((error as? RipError)?.message ?? "\(error)"); upload \(upload.id) dropped")
                }
                upload.hasher.update(data: request.data)
                upload.received += UInt64(request.data.count)
                uploads.receive(request.data.count)
                uploads.putBack(upload)
                return .with { $0.received = upload.received }
            })
        }
        table.changing(Service.abortUpload, turn: nil) { request, loop in
            let contents = try requireContents()
            let upload = try uploads.take(request.uploadID)
            return .later(loop.makeFutureWithTask {
                await uploads.drop(upload, from: contents)
                return .init()
            })
        }
        table.changing(Service.commitUpload, turn: nil) { request, loop in
            let contents = try requireContents()
            try ArtifactRules.check(request)
            let upload = try uploads.take(request.uploadID)
            uploads.release(upload)  // from here the commit's own quota check counts it
            return .later(loop.makeFutureWithTask {
                try await Self.finish(upload, request, contents: contents, store: store, limits: limits, loop: loop)
            })
        }
        table.changing(Service.readArtifact, turn: .read) { request, loop in
            let contents = try requireContents()
            let artifact = try store.read { state, _ in
                try state.artifacts.find(request.artifactID, ownerID: try state.ownerID(request.owner))
            }
            guard request.offset <= artifact.size else {
                throw RipError(.outOfRange, "offset \(request.offset) is past the end (\(artifact.size) bytes)")
            }
            let wanted = request.length == 0 ? RipLimits.Artifact.maxChunkBytes : min(Int(request.length), RipLimits.Artifact.maxChunkBytes)
            let length = Int(min(UInt64(wanted), artifact.size - request.offset))
            let layout = BlobLayout(encoding: BlobEncoding(rawValue: artifact.encoding) ?? .identity, storedSize: artifact.storedSize)
            return .later(loop.makeFutureWithTask {
                let data = try await contents.read(artifact.sha256, layout: layout, offset: request.offset, length: length)
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
            _ = try requireContents()
            // The content a delete releases is freed before the reply (StateEngine.releaseBlobs).
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

    /// Frees released contents once nothing holds them (an artifact committed since may hold
    /// the same content) and no commit pins them.
    static func releaser(_ contents: any ContentStore, store: any StateEngine) -> BlobRelease {
        { [weak store] sha256s, done in
            guard let store else { return done() }  // the daemon is stopping
            Task {
                await contents.release(sha256s) { [weak store] hash in
                    (try? store?.read { state, _ in state.artifacts.holds(hash) }) ?? true
                }
                done()
            }
        }
    }

    /// Drops the uploads whose clients went away (no call within the idle timeout); returns how
    /// many.
    static func dropInterrupted(
        _ uploads: UploadTable, contents: (any ContentStore)?, idle: Duration, now: ContinuousClock.Instant = .now
    ) async -> Int {
        let stale = uploads.expire(idle: idle, now: now)
        for upload in stale { await uploads.drop(upload, from: contents) }
        return stale.count
    }

    /// The owner an upload is begun for, resolved (and its id), once it has room for one more
    /// artifact.
    static func owner(
        _ owner: RipArtifactOwner, store: any StateEngine, limits: ArtifactLimits
    ) throws -> (id: String, owner: RipArtifactOwner) {
        try store.read { state, _ in
            let owner = try state.resolved(owner)
            let id = owner.resolvedID
            try state.artifacts.checkRoom(for: id, limit: limits.maxPerOwner)
            return (id, owner)
        }
    }

    enum Room {
        case fits
        /// The artifact would be over `--max-artifact-bytes`: the upload cannot go on.
        case tooBig(RipError)
        /// The store would be over `--artifact-quota`: the upload may go on once room is made.
        case overQuota(RipError)
    }

    /// Whether `count` more bytes fit in `upload`. Uploads in progress count against the quota
    /// with the contents already kept (on a shared store as this daemon last saw them: the
    /// commit checks again in its turn).
    static func room(
        for count: Int, in upload: UploadTable.Upload, uploads: UploadTable, store: any StateEngine, limits: ArtifactLimits
    ) throws -> Room {
        guard upload.received.saturatingAdd(UInt64(count)) <= limits.maxArtifactBytes else {
            return .tooBig(.resourceExhausted("an artifact holds at most \(limits.maxArtifactBytes) bytes; upload \(upload.id) dropped"))
        }
        let physical = try store.read { state, _ in state.artifacts.physicalBytes }
        guard physical.saturatingAdd(uploads.bytesInProgress).saturatingAdd(UInt64(count)) <= limits.quotaBytes else {
            return .overQuota(.resourceExhausted(
                "the artifact store holds \(physical) bytes and uploads in progress \(uploads.bytesInProgress) more; "
                    + "\(count) more would pass the quota of \(limits.quotaBytes) (upload \(upload.id) kept)"))
        }
        return .fits
    }

    /// Makes the finished `upload` (taken out of the table and released from its count) the
    /// artifact `request` describes: checks its SHA-256 against the expected one, keeps its
    /// content and records the artifact; on failure nothing of it is left. Answers once the
    /// record is durable.
    static func finish(
        _ upload: UploadTable.Upload, _ request: RipCommitUploadRequest, contents: any ContentStore, store: any StateEngine,
        limits: ArtifactLimits, loop: any EventLoop
    ) async throws -> RipArtifact {
        let sha256 = upload.hasher.finalize().hex
        guard request.expectedSha256.isEmpty || request.expectedSha256 == sha256 else {
            await contents.dropUpload(upload.id)
            throw RipError(.dataLoss, "the content's SHA-256 is \(sha256), not \(request.expectedSha256); upload dropped")
        }
        let layout: BlobLayout
        do {
            layout = try await contents.finishUpload(upload.id, sha256: sha256, size: upload.received)
        } catch {
            await contents.dropUpload(upload.id)
            throw error
        }
        do {
            let recorded = try await store.inTurn {
                try record(request, id: RipID.artifact.generate(), upload: upload, sha256: sha256, layout: layout,
                    store: store, limits: limits, loop: loop)
            }
            let artifact = try await recorded.get()
            await contents.unpin(sha256)
            return artifact
        } catch {
            await contents.unpin(sha256)
            await contents.release([sha256]) { hash in (try? store.read { state, _ in state.artifacts.holds(hash) }) ?? true }
            throw error
        }
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
                    "the artifact store holds \(physical) bytes; \(layout.storedSize) more would pass the quota of \(limits.quotaBytes)")
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
}
