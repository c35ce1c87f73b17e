import CompressNIO
import Foundation
import NIOCore

/// The compressed form of a blob (`<sha256>.z`): the content cut into 1 MiB frames, each
/// deflated on its own, so a ranged read inflates only the frames it needs and no step ever
/// holds more than a frame. Layout, all integers big-endian:
///
///     "RIPZ"  u32 frame size  u64 original size  u32 frame count
///     u32 compressed size of each frame
///     the compressed frames, in order
public struct BlobFrames: Sendable {
    public static let frameSize = 1 << 20
    static let magic = Array("RIPZ".utf8)

    public let originalSize: UInt64
    /// Compressed size of each frame, and where each starts in the file.
    let sizes: [UInt32]
    let starts: [UInt64]

    init(originalSize: UInt64, sizes: [UInt32]) {
        self.originalSize = originalSize
        self.sizes = sizes
        let headerBytes = UInt64(4 + 4 + 8 + 4 + 4 * sizes.count)
        var starts: [UInt64] = []
        var offset = headerBytes
        for size in sizes {
            starts.append(offset)
            offset += UInt64(size)
        }
        self.starts = starts
    }

    static func headerBytes(frames: Int) -> Int { 4 + 4 + 8 + 4 + 4 * frames }

    func header() -> Data {
        var data = Data(Self.magic)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) } }
        put(UInt32(Self.frameSize))
        put(originalSize)
        put(UInt32(sizes.count))
        for size in sizes { put(size) }
        return data
    }

    /// Reads the header of an open `.z` blob.
    static func read(from descriptor: Int32) throws -> BlobFrames {
        let fixed = try BlobStore.pread(descriptor, offset: 0, length: 20)
        guard fixed.count == 20, Array(fixed.prefix(4)) == magic else { throw BlobError.corrupt("bad compressed blob header") }
        func get<T: FixedWidthInteger>(_ data: Data, _ at: Int) -> T {
            data[data.startIndex + at..<data.startIndex + at + MemoryLayout<T>.size].reduce(T(0)) { $0 << 8 | T($1) }
        }
        let frameSize: UInt32 = get(fixed, 4), original: UInt64 = get(fixed, 8), count: UInt32 = get(fixed, 16)
        guard frameSize == UInt32(Self.frameSize), count < 1 << 24 else { throw BlobError.corrupt("bad compressed blob header") }
        let table = try BlobStore.pread(descriptor, offset: 20, length: 4 * Int(count))
        guard table.count == 4 * Int(count) else { throw BlobError.corrupt("short compressed blob header") }
        return BlobFrames(originalSize: original, sizes: (0..<Int(count)).map { get(table, 4 * $0) })
    }

    /// Deflates one frame.
    static func compress(_ frame: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: frame)
        var compressed = try buffer.compress(with: .deflate())
        return Data(compressed.readBytes(length: compressed.readableBytes) ?? [])
    }

    /// Inflates frame `index` read from `descriptor`.
    func inflate(_ index: Int, from descriptor: Int32) throws -> Data {
        let compressed = try BlobStore.pread(descriptor, offset: starts[index], length: Int(sizes[index]))
        var buffer = ByteBuffer(bytes: compressed)
        var frame = try buffer.decompress(with: .deflate(), maxSize: Self.frameSize)
        return Data(frame.readBytes(length: frame.readableBytes) ?? [])
    }
}
