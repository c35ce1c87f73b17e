import CRipStorage
import Foundation
import RipEngine
import Synchronization

/// Artifact contents on disk, named by their SHA-256: `blobs/sha256/ab/abcdef…` under the data
/// directory (`…​.z` when stored compressed, see `BlobFrames`), each written once however many
/// artifacts hold it. Uploads grow in `uploads/`
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
    /// Frame tables of compressed blobs read recently.
    private let frames = Mutex<[String: BlobFrames]>([:])

    public init(dataDirectory: String) throws {
        directory = URL(fileURLWithPath: dataDirectory)
        blobs = directory.appendingPathComponent("blobs/sha256")
        uploads = directory.appendingPathComponent("uploads")
        for url in [blobs, uploads] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Where the blob of `sha256` (64 lowercase hex digits) lives in `encoding`.
    public func path(of sha256: String, _ encoding: BlobEncoding = .identity) -> String {
        blobs.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256 + encoding.suffix).path
    }

    /// How the blob of `sha256` is stored, if it is.
    public func layout(of sha256: String) -> BlobLayout? {
        for encoding in BlobEncoding.allCases {
            var info = stat()
            if stat(path(of: sha256, encoding), &info) == 0 { return BlobLayout(encoding: encoding, storedSize: UInt64(info.st_size)) }
        }
        return nil
    }

    /// A new private upload file; returns its path and an open descriptor for appending.
    public func createUpload(id: String) throws -> (path: String, descriptor: Int32) {
        let path = uploads.appendingPathComponent(id).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw BlobError.io("cannot create upload file", errno) }
        return (path, descriptor)
    }

    /// Writes all of `data` to `descriptor` and starts writing it to disk, so the fsync that
    /// ends the upload waits for little more than its last chunk.
    public static func append(_ data: Data, to descriptor: Int32) throws {
        defer { _ = rip_start_writeback(descriptor) }
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

    /// Makes the finished upload at `path` (`size` bytes) the blob of `sha256`, compressed when
    /// it is over `compressOver` bytes and deflating actually saves space, and pins it. Returns
    /// how it is stored and whether the content was already there (the upload is then dropped).
    /// Call `unpin` once the record that refers to it is committed (or failed).
    public func store(
        upload path: String, descriptor: Int32, sha256: String, size: UInt64, compressOver: UInt64
    ) throws -> (layout: BlobLayout, existed: Bool) {
        defer { close(descriptor) }
        pinned.withLock { $0[sha256, default: 0] += 1 }
        do {
            if let existing = layout(of: sha256) {
                unlink(path)
                return (existing, true)
            }
            var source = path
            var encoding = BlobEncoding.identity
            var stored = size
            if size > compressOver, let compressed = try compress(path, size: size) {
                unlink(path)
                (source, encoding, stored) = (compressed.path, .deflate, compressed.size)
            } else {
                guard fsync(descriptor) == 0 else { throw BlobError.io("cannot sync upload", errno) }
            }
            let target = self.path(of: sha256, encoding)
            let folder = (target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard rename(source, target) == 0 else { throw BlobError.io("cannot move upload into the blob store", errno) }
            try Self.syncDirectory(folder)
            try Self.syncDirectory(blobs.path)
            return (BlobLayout(encoding: encoding, storedSize: stored), false)
        } catch {
            unpin(sha256)
            throw error
        }
    }

    /// Writes the framed, deflated form of the upload at `path` beside it and syncs it; nil
    /// (and nothing left behind) when its first frame does not shrink by a tenth or the whole
    /// would not be smaller: incompressible content (images, archives) is stored as it is.
    private func compress(_ path: String, size: UInt64) throws -> (path: String, size: UInt64)? {
        let input = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw BlobError.io("cannot reopen upload", errno) }
        defer { close(input) }
        let frameCount = Int((size + UInt64(BlobFrames.frameSize) - 1) / UInt64(BlobFrames.frameSize))
        let first = try BlobFrames.compress(try Self.pread(input, offset: 0, length: min(Int(size), BlobFrames.frameSize)))
        guard first.count * 10 < min(Int(size), BlobFrames.frameSize) * 9 else { return nil }
        let outputPath = path + ".z"
        let output = open(outputPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard output >= 0 else { throw BlobError.io("cannot create compressed upload", errno) }
        defer { close(output) }
        do {
            var sizes: [UInt32] = []
            var written = UInt64(BlobFrames.headerBytes(frames: frameCount))
            guard lseek(output, off_t(written), SEEK_SET) >= 0 else { throw BlobError.io("cannot seek", errno) }
            for index in 0..<frameCount {
                let frame =
                    index == 0
                    ? first : try BlobFrames.compress(try Self.pread(input, offset: UInt64(index * BlobFrames.frameSize), length: BlobFrames.frameSize))
                try Self.append(frame, to: output)
                sizes.append(UInt32(frame.count))
                written += UInt64(frame.count)
                if written >= size { throw BlobError.notSmaller }
            }
            let header = BlobFrames(originalSize: size, sizes: sizes).header()
            guard lseek(output, 0, SEEK_SET) >= 0 else { throw BlobError.io("cannot seek", errno) }
            try Self.append(header, to: output)
            guard fsync(output) == 0 else { throw BlobError.io("cannot sync compressed upload", errno) }
            return (outputPath, written)
        } catch BlobError.notSmaller {
            unlink(outputPath)
            return nil
        } catch {
            unlink(outputPath)
            throw error
        }
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
            for encoding in BlobEncoding.allCases { unlink(path(of: sha256, encoding)) }
            _ = frames.withLock { $0.removeValue(forKey: sha256) }
        }
    }

    /// Drops an upload that will not be committed.
    public func discard(upload path: String, descriptor: Int32) {
        close(descriptor)
        unlink(path)
    }

    /// A read-only descriptor of the blob of `sha256` as stored in `encoding`; the caller closes it.
    public func openBlob(_ sha256: String, _ encoding: BlobEncoding = .identity) throws -> Int32 {
        let descriptor = open(path(of: sha256, encoding), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw BlobError.io("cannot open blob \(sha256)", errno) }
        return descriptor
    }

    /// Up to `length` bytes of the original content of the blob of `sha256` from `offset`.
    public func read(_ sha256: String, encoding: BlobEncoding, offset: UInt64, length: Int) throws -> Data {
        let descriptor = try openBlob(sha256, encoding)
        defer { close(descriptor) }
        guard encoding == .deflate else { return try Self.pread(descriptor, offset: offset, length: length) }
        let layout = try frames.withLock { $0[sha256] } ?? BlobFrames.read(from: descriptor)
        frames.withLock { cache in
            if cache.count >= 1024 { cache.removeAll() }
            cache[sha256] = layout
        }
        let end = min(layout.originalSize, offset + UInt64(length))
        guard offset < end else { return Data() }
        let frameSize = UInt64(BlobFrames.frameSize)
        var data = Data(capacity: Int(end - offset))
        for index in Int(offset / frameSize)...Int((end - 1) / frameSize) {
            let frame = try layout.inflate(index, from: descriptor)
            let frameStart = UInt64(index) * frameSize
            let from = Int(max(offset, frameStart) - frameStart), to = Int(min(end, frameStart + UInt64(frame.count)) - frameStart)
            if from < to { data.append(frame[frame.startIndex + from..<frame.startIndex + to]) }
        }
        return data
    }

    /// Up to `length` bytes of an open file from `offset` (fewer at its end).
    static func pread(_ descriptor: Int32, offset: UInt64, length: Int) throws -> Data {
        var data = Data(count: length)
        let count = try data.withUnsafeMutableBytes { buffer -> Int in
            var total = 0
            while total < length {
                let got = Glibc.pread(descriptor, buffer.baseAddress! + total, length - total, off_t(offset) + off_t(total))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw BlobError.io("cannot read blob", errno)
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
            for name in (try? files.contentsOfDirectory(atPath: folderPath)) ?? []
            where !isHeld(String(name.prefix { $0 != "." })) {
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
    case corrupt(String)
    /// Compressing would not save space.
    case notSmaller

    public var description: String {
        switch self {
        case .io(let what, let code): "\(what): \(String(cString: strerror(code)))"
        case .corrupt(let what): what
        case .notSmaller: "compressed form not smaller"
        }
    }
}

extension BlobEncoding {
    /// The file name suffix of a blob kept this way.
    var suffix: String { self == .identity ? "" : ".z" }
}
