import Crypto
import Foundation
import RipCore
import RipEngine
import RipProto
import RipWire
import Synchronization

/// The uploads in progress: the running SHA-256 of each one's bytes and the owner it was opened
/// for (the bytes themselves go to the `ContentStore`). An upload is taken out of the table
/// while a chunk is written, so two calls can never write the same upload at once.
final class UploadTable: Sendable {
    // @unchecked: the running SHA256 is a value that moves with the upload from call to call
    // (the table hands each upload to one call at a time); it is never shared.
    struct Upload: @unchecked Sendable {
        let id: String
        let ownerID: String
        let owner: RipArtifactOwner
        var received: UInt64 = 0
        var hasher = SHA256()
        /// The last call on it: an upload idle past the timeout was interrupted.
        var touched = ContinuousClock.now
    }

    static let maxOpen = 256
    private let open = Mutex<[String: Upload]>([:])
    /// Bytes the open uploads have received: they count against the quota until each upload
    /// is committed (then its blob counts) or dropped.
    private let received = Atomic<UInt64>(0)

    var bytesInProgress: UInt64 { received.load(ordering: .relaxed) }

    /// Counts a chunk an upload received.
    func receive(_ bytes: Int) { received.add(UInt64(bytes), ordering: .relaxed) }

    /// Stops counting what `upload` received: it was committed or dropped.
    func release(_ upload: Upload) { received.subtract(upload.received, ordering: .relaxed) }

    /// Drops `upload` with what it received.
    func drop(_ upload: Upload, from contents: (any ContentStore)?) async {
        release(upload)
        await contents?.dropUpload(upload.id)
    }

    func add(_ upload: Upload) throws {
        try open.withLock { open in
            guard open.count < Self.maxOpen else {
                throw RipError.resourceExhausted("\(Self.maxOpen) uploads are open; commit or abort some first")
            }
            open[upload.id] = upload
        }
    }

    /// Takes the upload out for one call. An id that names no open upload, or one another call
    /// holds at this moment, is NOT_FOUND.
    func take(_ id: String) throws -> Upload {
        guard let upload = open.withLock({ $0.removeValue(forKey: id) }) else {
            throw RipError.notFound("no open upload '\(id)' (committed, aborted, or busy with another call)")
        }
        return upload
    }

    func putBack(_ upload: Upload) {
        var upload = upload
        upload.touched = .now
        open.withLock { $0[upload.id] = upload }
    }

    /// Takes out every upload untouched for `idle` at `now`: their clients went away.
    func expire(idle: Duration, now: ContinuousClock.Instant = .now) -> [Upload] {
        let cutoff = now - idle
        return open.withLock { open in
            let stale = open.values.filter { $0.touched < cutoff }
            for upload in stale { open[upload.id] = nil }
            return stale
        }
    }
}

extension Digest {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
