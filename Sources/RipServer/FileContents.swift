import Foundation
import NIOPosix
import RipCore
import RipEngine
import RipStorage
import RipWire
import Synchronization

/// Artifact contents as files in the data directory (`BlobStore`): each upload a private file,
/// each content one blob file. File work (writes, fsync and rename, reads) runs on NIO's
/// blocking-I/O thread pool, off the event loops.
public final class FileContents: ContentStore {
    private let blobs: BlobStore
    /// Contents larger than this are stored deflated when that saves space.
    private let compressOver: UInt64
    private let uploads = Mutex<[String: (path: String, descriptor: Int32)]>([:])
    private let pool = NIOThreadPool.singleton

    public init(blobs: BlobStore, compressOver: UInt64) {
        self.blobs = blobs
        self.compressOver = compressOver
    }

    public func beginUpload(_ id: String) async throws {
        let file = try Self.io { try blobs.createUpload(id: id) }
        uploads.withLock { $0[id] = file }
    }

    public func append(_ data: Data, toUpload id: String) async throws {
        let file = try upload(id)
        try await pool.runIfActive { try Self.io { try BlobStore.append(data, to: file.descriptor) } }
    }

    public func finishUpload(_ id: String, sha256: String, size: UInt64) async throws -> BlobLayout {
        let file = try upload(id, taking: true)
        let (blobs, compressOver) = (blobs, compressOver)
        return try await pool.runIfActive {
            try Self.io {
                try blobs.store(upload: file.path, descriptor: file.descriptor, sha256: sha256, size: size, compressOver: compressOver)
                    .layout
            }
        }
    }

    public func dropUpload(_ id: String) async {
        guard let file = try? upload(id, taking: true) else { return }
        blobs.discard(upload: file.path, descriptor: file.descriptor)
    }

    public func unpin(_ sha256: String) async { blobs.unpin(sha256) }

    public func read(_ sha256: String, layout: BlobLayout, offset: UInt64, length: Int) async throws -> Data {
        let blobs = blobs
        return try await pool.runIfActive {
            try Self.io { try blobs.read(sha256, encoding: layout.encoding, offset: offset, length: length) }
        }
    }

    public func openFile(_ sha256: String, layout: BlobLayout) throws -> Int32? {
        guard layout.encoding == .identity else { return nil }
        return try Self.io { try blobs.openBlob(sha256) }
    }

    public func release(_ sha256s: [String], isHeld: @escaping @Sendable (String) -> Bool) async {
        let blobs = blobs
        // Not runIfActive: a change waits for this, so it runs even while the pool stops.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            pool.submit { _ in
                for sha256 in sha256s { blobs.remove(sha256, isHeld: isHeld) }
                done.resume()
            }
        }
    }

    /// Nothing: what a crash left in the data directory is collected at start (`BlobStore.collectGarbage`).
    public func collect(idle: Duration) async {}

    private func upload(_ id: String, taking: Bool = false) throws -> (path: String, descriptor: Int32) {
        let file = uploads.withLock { taking ? $0.removeValue(forKey: id) : $0[id] }
        guard let file else { throw RipError.notFound("no open upload '\(id)'") }
        return file
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
