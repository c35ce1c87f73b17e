import Crypto
import Foundation
import RipClient
import RipProto

/// Uploads one artifact: begin, the chunks `next` hands over in order (nil ends), then commit
/// with the SHA-256 ripctl computed, so ripd refuses content that changed on the way. An upload
/// that fails midway is aborted, leaving nothing behind.
enum ArtifactUpload {
    static func upload(
        _ client: RipClient, owner: RipArtifactOwner, commit: RipCommitUploadRequest, next: () throws -> Data?
    ) async throws -> RipArtifact {
        let upload = try await client.beginUpload(.with { $0.owner = owner }).uploadID
        var hasher = SHA256()
        do {
            var offset: UInt64 = 0
            while let chunk = try next(), !chunk.isEmpty {
                hasher.update(data: chunk)
                offset = try await client.appendUpload(.with {
                    $0.uploadID = upload
                    $0.offset = offset
                    $0.data = chunk
                }).received
            }
        } catch {
            _ = try? await client.abortUpload(.with { $0.uploadID = upload })
            throw error
        }
        var commit = commit
        commit.uploadID = upload
        commit.expectedSha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return try await client.commitUpload(commit)
    }

    /// Uploads `data` in chunks.
    static func upload(
        _ client: RipClient, owner: RipArtifactOwner, commit: RipCommitUploadRequest, data: Data
    ) async throws -> RipArtifact {
        var offset = 0
        return try await upload(client, owner: owner, commit: commit) {
            guard offset < data.count else { return nil }
            let end = min(data.count, offset + RipLimits.Artifact.maxChunkBytes)
            defer { offset = end }
            return data[offset..<end]
        }
    }

    /// Whether ripd can read the file at `descriptor` itself (`putFile`): a regular file at its
    /// start (ripd reads from offset 0; stdin redirected from a file part-read is sent as read).
    static func isWholeRegularFile(_ descriptor: Int32) -> Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && lseek(descriptor, 0, SEEK_CUR) == 0
    }

    /// Has ripd read the regular file at `descriptor` itself, through its descriptor socket;
    /// nil when it cannot (no descriptor socket): upload the bytes then.
    static func putFile(
        _ client: RipClient, owner: RipArtifactOwner, commit: RipCommitUploadRequest, descriptor: Int32
    ) async throws -> RipArtifact? {
        do {
            return try await client.putArtifactFile(.with {
                $0.owner = owner
                $0.commit = commit
            }, descriptor: descriptor)
        } catch let error as RipError where error.code == .failedPrecondition {
            return nil
        }
    }

    /// Copies an artifact's content into `sink` from a descriptor ripd hands over; nil when it
    /// cannot (no descriptor socket, or the content is not a plain file): read it in ranges then.
    static func copyFile(_ client: RipClient, id: String, owner: RipArtifactOwner, to sink: Int32) async throws -> UInt64? {
        let opened: (artifact: RipArtifact, descriptor: Int32)
        do {
            opened = try await client.openArtifactFile(.with {
                $0.artifactID = id
                $0.owner = owner
            })
        } catch let error as RipError where error.code == .failedPrecondition {
            return nil
        }
        defer { close(opened.descriptor) }
        let copied = try DescriptorSocket.copy(from: opened.descriptor, to: sink, length: opened.artifact.size)
        guard copied == opened.artifact.size else {
            throw RipError(.dataLoss, "the artifact's file ended after \(copied) of its \(opened.artifact.size) bytes")
        }
        return copied
    }

    /// An artifact's whole content, read in ranged calls, `window` of them in flight on the one
    /// connection so the daemon's disk reads overlap the transfer; chunks reach `sink` in order.
    static func download(
        _ client: RipClient, id: String, owner: RipArtifactOwner, window: Int = 4, into sink: (Data) throws -> Void
    ) async throws -> UInt64 {
        let chunk = UInt64(RipLimits.Artifact.maxChunkBytes)
        let read: @Sendable (UInt64) async throws -> RipReadArtifactResponse = { offset in
            try await client.readArtifact(.with {
                $0.artifactID = id
                $0.owner = owner
                $0.offset = offset
            })
        }
        let first = try await read(0)
        try sink(first.data)
        var received = UInt64(first.data.count)
        var next = received
        var inFlight: [Task<RipReadArtifactResponse, any Error>] = []
        defer { for task in inFlight { task.cancel() } }
        while received < first.size {
            while inFlight.count < window && next < first.size {
                let offset = next
                inFlight.append(Task { try await read(offset) })
                next += chunk
            }
            let part = try await inFlight.removeFirst().value
            guard !part.data.isEmpty else { break }
            try sink(part.data)
            received += UInt64(part.data.count)
        }
        return received
    }
}
