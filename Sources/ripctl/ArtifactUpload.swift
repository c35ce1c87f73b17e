import Crypto
import Foundation
import RipClient
import RipCore
import RipProto

/// Uploads one artifact: begin, the chunks `next` hands over in order (nil ends), then commit
/// with the SHA-256 ripctl computed, so ripd refuses content that changed on the way. An upload
/// that fails midway is aborted, leaving nothing behind.
enum ArtifactUpload {
    static func upload(
        _ client: RipClient, owner: Rip_V1_ArtifactOwner, commit: Rip_V1_CommitUploadRequest, next: () throws -> Data?
    ) async throws -> Rip_V1_Artifact {
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
        _ client: RipClient, owner: Rip_V1_ArtifactOwner, commit: Rip_V1_CommitUploadRequest, data: Data
    ) async throws -> Rip_V1_Artifact {
        var offset = 0
        return try await upload(client, owner: owner, commit: commit) {
            guard offset < data.count else { return nil }
            let end = min(data.count, offset + ArtifactRules.maxChunkBytes)
            defer { offset = end }
            return data[offset..<end]
        }
    }

    /// An artifact's whole content, read in ranged calls.
    static func download(_ client: RipClient, id: String, owner: Rip_V1_ArtifactOwner, into sink: (Data) throws -> Void) async throws -> UInt64 {
        var offset: UInt64 = 0
        var size: UInt64 = 1
        while offset < size {
            let chunk = try await client.readArtifact(.with {
                $0.artifactID = id
                $0.owner = owner
                $0.offset = offset
            })
            size = chunk.size
            if chunk.data.isEmpty { break }
            try sink(chunk.data)
            offset += UInt64(chunk.data.count)
        }
        return offset
    }
}
