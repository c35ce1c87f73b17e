import Foundation

/// Where artifact contents are kept, each named by its SHA-256 and kept once however many
/// artifacts hold it: files in the data directory with the embedded store (RipServer's
/// `FileContents`), rows in PostgreSQL with a shared store (RipPostgres' `SharedContents`).
/// The state records which artifacts hold which content; the content store keeps the bytes.
///
/// An upload grows by `append` until `finishUpload` makes it a content, pinned until `unpin`,
/// so it stays while the artifact that will hold it is being recorded. `release` frees contents
/// a change released unless an artifact holds or a commit pins them again. Calls on one upload
/// come one at a time. Failures are `RipError`s (UNAVAILABLE: the disk or the database failed).
public protocol ContentStore: Sendable {
    /// Opens an empty upload named `id` (a random upload id, never a client's name).
    func beginUpload(_ id: String) async throws

    /// Adds `data` to the end of the upload `id`.
    func append(_ data: Data, toUpload id: String) async throws

    /// Makes the upload `id` (`size` bytes, hashing to `sha256`) the content `sha256`, or drops
    /// it when that content is kept already, and pins the content. Returns how it is kept.
    func finishUpload(_ id: String, sha256: String, size: UInt64) async throws -> BlobLayout

    /// Drops an upload that will not be finished, with whatever it received.
    func dropUpload(_ id: String) async

    /// Ends a pin `finishUpload` took; the content goes if nothing holds it.
    func unpin(_ sha256: String) async

    /// Up to `length` bytes of the content `sha256`, kept as `layout`, from `offset`.
    func read(_ sha256: String, layout: BlobLayout, offset: UInt64, length: Int) async throws -> Data

    /// A read-only descriptor of the content `sha256`, kept as `layout`, when it is kept as a
    /// plain file of exactly its bytes (the caller closes it); nil when it is not (deflated, or
    /// in a database): read it with `read` then.
    func openFile(_ sha256: String, layout: BlobLayout) throws -> Int32?

    /// Frees the contents no artifact holds any more (`isHeld` tells what the state holds now)
    /// and no commit pins.
    func release(_ sha256s: [String], isHeld: @escaping @Sendable (String) -> Bool) async

    /// Run now and then by the daemon that holds the duties: frees what uploads interrupted
    /// without a word left behind, untouched for `idle`, where the store outlives a daemon
    /// (the embedded store collects its files at start instead).
    func collect(idle: Duration) async
}

/// How a content is kept.
public enum BlobEncoding: String, CaseIterable, Sendable {
    case identity
    /// Deflated in frames (RipStorage's `BlobFrames`).
    case deflate
}

public struct BlobLayout: Sendable {
    public let encoding: BlobEncoding
    /// Bytes it takes where it is kept (what the quota counts).
    public let storedSize: UInt64

    public init(encoding: BlobEncoding, storedSize: UInt64) {
        self.encoding = encoding
        self.storedSize = storedSize
    }
}
