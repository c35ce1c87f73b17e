import Foundation
import Synchronization

/// Artifact contents on disk, named by their SHA-256: `blobs/sha256/ab/abcdef…` under the data
/// directory, each written once however many artifacts hold it. Uploads grow in `uploads/`
/// (one private file each) and become blobs by rename after an fsync, before the log record
/// that refers to them, so a durable record never names a missing blob.
///
/// Paths come only from hex hashes and random upload ids, never from names a client chose.
/// A blob some upload is about to record is pinned, so a removal racing with it leaves it be.
public final class BlobStore: Sendable {
    public let directory: URL
    private let blobs: URL
    private let uploads: URL
    private let pinned = Mutex<[String: Int]>([:])

    public init(dataDirectory: String) throws {
        directory = URL(fileURLWithPath: dataDirectory)
        blobs = directory.appendingPathComponent("blobs/sha256")
        uploads = directory.appendingPathComponent("uploads")
        for url in [blobs, uploads] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Where the blob of `sha256` (64 lowercase hex digits) lives.
    public func path(of sha256: String) -> String {
        blobs.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256).path
    }

    /// A new private upload file; returns its path and an open descriptor for appending.
    public func createUpload(id: String) throws -> (path: String, descriptor: Int32) {
        let path = uploads.appendingPathComponent(id).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BlobError.io("cannot create upload file", errno) }
        return (path, descriptor)
    }

    /// Writes all of `data` to `descriptor`.
    public static func append(_ data: Data, to descriptor: Int32) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BlobError.io("cannot write upload", errno)
                }
                offset += written
            }
        }
    }

    /// Makes the finished upload at `path` the blob of `sha256` and pins it; returns whether the
    /// content was already stored (the upload is then dropped). Call `unpin` once the record
    /// that refers to it is committed (or failed).
    public func store(upload path: String, descriptor: Int32, sha256: String) throws -> Bool {
        defer { close(descriptor) }
        pinned.withLock { $0[sha256, default: 0] += 1 }
        let target = self.path(of: sha256)
        if FileManager.default.fileExists(atPath: target) {
            unlink(path)
            return true
        }
        guard fsync(descriptor) == 0 else {
            unpin(sha256)
            throw BlobError.io("cannot sync upload", errno)
        }
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard rename(path, target) == 0 else { throw BlobError.io("cannot move upload into the blob store", errno) }
            try Self.syncDirectory(folder)
            try Self.syncDirectory(blobs.path)
        } catch {
            unpin(sha256)
            throw error
        }
        return false
    }

    public func unpin(_ sha256: String) {
        pinned.withLock { pins in
            pins[sha256, default: 1] -= 1
            if pins[sha256] == 0 { pins[sha256] = nil }
        }
    }

    /// Removes the blob of `sha256` unless an upload has it pinned or `isHeld` says an artifact
    /// holds it again.
    public func remove(_ sha256: String, isHeld: (String) -> Bool) {
        pinned.withLock { pins in
            guard pins[sha256] == nil, !isHeld(sha256) else { return }
            unlink(path(of: sha256))
        }
    }

    /// Drops an upload that will not be committed.
    public func discard(upload path: String, descriptor: Int32) {
        close(descriptor)
        unlink(path)
    }

    /// Up to `length` bytes of the blob of `sha256` from `offset`.
    public func read(_ sha256: String, offset: UInt64, length: Int) throws -> Data {
        let descriptor = open(path(of: sha256), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobError.io("cannot open blob \(sha256)", errno) }
        defer { close(descriptor) }
        var data = Data(count: length)
        let count = try data.withUnsafeMutableBytes { buffer -> Int in
            var total = 0
            while total < length {
                let got = pread(descriptor, buffer.baseAddress! + total, length - total, off_t(offset) + off_t(total))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw BlobError.io("cannot read blob \(sha256)", errno)
                }
                if got == 0 { break }
                total += got
            }
            return total
        }
        data.count = count
        return data
    }

    /// At start: removes uploads left by a crash and blobs no artifact holds (written before a
    /// record that never became durable, or released before a crash). Returns how many of each.
    public func collectGarbage(isHeld: (String) -> Bool) -> (uploads: Int, blobs: Int) {
        let files = FileManager.default
        var uploadsRemoved = 0, blobsRemoved = 0
        for name in (try? files.contentsOfDirectory(atPath: uploads.path)) ?? [] {
            if unlink(uploads.appendingPathComponent(name).path) == 0 { uploadsRemoved += 1 }
        }
        for folder in (try? files.contentsOfDirectory(atPath: blobs.path)) ?? [] {
            let folderPath = blobs.appendingPathComponent(folder).path
            for name in (try? files.contentsOfDirectory(atPath: folderPath)) ?? [] where !isHeld(name) {
                if unlink((folderPath as NSString).appendingPathComponent(name)) == 0 { blobsRemoved += 1 }
            }
        }
        return (uploadsRemoved, blobsRemoved)
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobError.io("cannot open \(path)", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw BlobError.io("cannot sync \(path)", errno) }
    }
}

public enum BlobError: Error, CustomStringConvertible {
    case io(String, Int32)

    public var description: String {
        switch self {
        case .io(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}
