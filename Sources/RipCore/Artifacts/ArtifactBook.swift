import Foundation
import RipProto
import RipBase

/// Every artifact's record, indexed by owner, and how many artifacts hold each content.
///
/// The contents themselves are blobs in the data directory (RipStorage's `BlobStore`), named by
/// their SHA-256; this book decides when a blob is no longer held. Changes are reached only
/// through `RipState.apply`.
public struct ArtifactBook: Sendable {
    var byID: [String: RipArtifact] = [:]
    /// Artifact ids by owner id (a session id or a job id).
    var byOwner: [String: Set<String>] = [:]
    /// Artifacts holding each content, by SHA-256.
    var holders: [String: Int] = [:]
    /// Stored bytes of every distinct content, kept as contents come and go (the quota check
    /// reads it on every commit).
    public private(set) var physicalBytes: UInt64 = 0

    public init() {}

    public var count: Int { byID.count }

    /// Whether any artifact holds the content with this hash (its blob must be kept).
    public func holds(_ sha256: String) -> Bool { holders[sha256] != nil }

    /// The hash of every content some artifact holds.
    public var heldContents: Set<String> { Set(holders.keys) }

    /// How many artifacts hold the content with this hash.
    public func holderCount(_ sha256: String) -> Int { holders[sha256] ?? 0 }

    /// The artifact `id`, if it belongs to `ownerID`. Another owner's artifact is NOT_FOUND
    /// like a missing one: ids are only reachable through their owner.
    public func find(_ id: String, ownerID: String) throws -> RipArtifact {
        guard !id.isEmpty else { throw RipError.invalidArgument("an artifact id is required") }
        guard let artifact = byID[id], artifact.ownerID == ownerID else {
            throw RipError.notFound("no artifact '\(id)' in \(ownerID); `ripctl artifact list` shows them")
        }
        return artifact
    }

    public func count(ownedBy ownerID: String) -> Int { byOwner[ownerID]?.count ?? 0 }

    /// Throws RESOURCE_EXHAUSTED unless `ownerID` may hold one more artifact under `limit`
    /// (checked when an upload begins and again when it is committed).
    public func checkRoom(for ownerID: String, limit: Int) throws {
        guard count(ownedBy: ownerID) < limit else {
            throw RipError.resourceExhausted("\(ownerID) holds \(limit) artifacts, the most allowed")
        }
    }

    public func query(_ request: RipQueryArtifactsRequest, ownerID: String) throws -> RipQueryArtifactsResponse {
        try ArtifactRules.checkQuery(request)
        let types = Set(request.types)
        let glob = request.nameGlob.isEmpty ? nil : Glob(request.nameGlob)
        let page = try Page(
            (byOwner[ownerID] ?? []).compactMap { byID[$0] }, limit: request.limit, defaultLimit: 100, cursor: request.cursor,
            position: PageCursor.init
        ) { artifact in
            (types.isEmpty || types.contains(artifact.type))
                && request.tags.allSatisfy { artifact.tags.contains($0) }
                && (glob?.matches(artifact.name) ?? true)
                && (!request.hasCreatedAfter || artifact.createdAt.unixMillis > request.createdAfter.unixMillis)
                && (!request.hasCreatedBefore || artifact.createdAt.unixMillis < request.createdBefore.unixMillis)
                && artifact.size >= request.minSize
                && (request.maxSize == 0 || artifact.size <= request.maxSize)
        }
        return .with {
            $0.artifacts = page.items
            $0.nextCursor = page.nextCursor
        }
    }

    public func stats() -> RipArtifactStatsResponse {
        var unique: [String: (size: UInt64, stored: UInt64)] = [:]
        var types: [RipArtifactType: UInt64] = [:]
        var logical: UInt64 = 0
        for artifact in byID.values {
            logical += artifact.size
            unique[artifact.sha256] = (artifact.size, artifact.storedSize)
            types[artifact.type, default: 0] += 1
        }
        return .with {
            $0.artifacts = UInt64(byID.count)
            $0.blobs = UInt64(unique.count)
            $0.logicalBytes = logical
            $0.uniqueBytes = unique.values.reduce(0) { $0 + $1.size }
            $0.physicalBytes = unique.values.reduce(0) { $0 + $1.stored }
            $0.byType = types.sorted { $0.key.rawValue < $1.key.rawValue }.map { type, count in
                .with {
                    $0.type = type
                    $0.artifacts = count
                }
            }
        }
    }

    // MARK: - Changes

    mutating func create(_ artifact: RipArtifact) throws -> Applied {
        guard byID[artifact.id] == nil else { throw RipError.alreadyExists("artifact \(artifact.id) already exists") }
        insert(artifact)
        var applied = Applied()
        applied.artifacts.append(artifact)
        return applied
    }

    mutating func delete(_ request: RipDeleteArtifactRequest) throws -> Applied {
        let artifact = try find(request.artifactID, ownerID: request.owner.resolvedID)
        var applied = Applied()
        remove(artifact, into: &applied)
        return applied
    }

    /// Removes every artifact of an owner that is gone (a deleted session, a removed job).
    mutating func removeAll(ownedBy ownerID: String, into applied: inout Applied) {
        for id in (byOwner[ownerID] ?? []).sorted() {
            if let artifact = byID[id] { remove(artifact, into: &applied) }
        }
    }

    mutating func insert(_ artifact: RipArtifact) {
        byID[artifact.id] = artifact
        byOwner[artifact.ownerID, default: []].insert(artifact.id)
        holders[artifact.sha256, default: 0] += 1
        if holders[artifact.sha256] == 1 { physicalBytes += artifact.storedSize }
    }

    private mutating func remove(_ artifact: RipArtifact, into applied: inout Applied) {
        byID[artifact.id] = nil
        byOwner[artifact.ownerID]?.remove(artifact.id)
        if byOwner[artifact.ownerID]?.isEmpty == true { byOwner[artifact.ownerID] = nil }
        holders[artifact.sha256, default: 1] -= 1
        if holders[artifact.sha256] == 0 {
            holders[artifact.sha256] = nil
            physicalBytes -= artifact.storedSize
            applied.releasedBlobs.append(artifact.sha256)
        }
        applied.artifacts.append(artifact)
    }
}

/// A name pattern: `*` matches any run of characters, `?` one character, anything else itself.
struct Glob {
    private let pattern: [Character]

    init(_ pattern: String) { self.pattern = Array(pattern) }

    func matches(_ name: String) -> Bool {
        let text = Array(name)
        // Iterative match with backtracking to the last star.
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
