import RipProto
import RipWire

/// Input rules for artifacts; each check throws INVALID_ARGUMENT naming the limit.
public enum ArtifactRules {
    public static let maxNameLength = 256
    public static let maxContentTypeLength = 256
    public static let maxMetadataEntries = 64
    public static let maxMetadataKeyLength = 128
    public static let maxMetadataValueLength = 4096
    public static let maxGlobBytes = 1024
    /// Bytes a chunk of an upload or a read carries at most.
    public static let maxChunkBytes = 4 << 20

    public static func check(_ request: Rip_V1_CommitUploadRequest) throws {
        guard (1...maxNameLength).contains(SessionRules.characters(request.name, limit: maxNameLength)) else {
            throw RipError.invalidArgument("artifact name must be 1–\(maxNameLength) characters, got \(SessionRules.characters(request.name, limit: maxNameLength))")
        }
        try SessionRules.checkNoControlCharacters(request.name, what: "artifact name")
        guard SessionRules.characters(request.contentType, limit: maxContentTypeLength) <= maxContentTypeLength else {
            throw RipError.invalidArgument("content type must be at most \(maxContentTypeLength) characters")
        }
        try SessionRules.checkNoControlCharacters(request.contentType, what: "content type")
        try SessionRules.checkTags(request.tags, of: "artifact")
        guard request.metadata.count <= maxMetadataEntries else {
            throw RipError.invalidArgument("an artifact has at most \(maxMetadataEntries) metadata entries, got \(request.metadata.count)")
        }
        for (key, value) in request.metadata {
            guard (1...maxMetadataKeyLength).contains(SessionRules.characters(key, limit: maxMetadataKeyLength)),
                SessionRules.characters(value, limit: maxMetadataValueLength) <= maxMetadataValueLength else {
                throw RipError.invalidArgument(
                    "metadata keys are 1–\(maxMetadataKeyLength) characters and values at most \(maxMetadataValueLength): '\(key.prefix(40))'")
            }
        }
        if !request.expectedSha256.isEmpty && !isSHA256(request.expectedSha256) {
            throw RipError.invalidArgument("expected_sha256 must be 64 lowercase hex digits")
        }
    }

    /// The filters of QueryArtifacts: tags as on an artifact, a glob no longer than a name
    /// pattern needs, times within `TimeRange`.
    static func checkQuery(_ request: Rip_V1_QueryArtifactsRequest) throws {
        try SessionRules.checkTags(request.tags, of: "filter")
        try SessionRules.checkCount(request.types.count, of: "types", max: SessionRules.maxFilterValues)
        guard request.nameGlob.utf8.count <= maxGlobBytes else {
            throw RipError.invalidArgument("name_glob must be at most \(maxGlobBytes) bytes, got \(request.nameGlob.utf8.count)")
        }
        if request.hasCreatedAfter { _ = try TimeRange.check(request.createdAfter, "created_after") }
        if request.hasCreatedBefore { _ = try TimeRange.check(request.createdBefore, "created_before") }
    }

    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension RipState {
    /// The id of the session or job `owner` names: exactly one of the two.
    public func ownerID(_ owner: Rip_V1_ArtifactOwner) throws -> String {
        switch (owner.session.isEmpty, owner.jobID.isEmpty) {
        case (false, true): return try sessions.id(of: owner.session)
        case (true, false): return try jobs.find(owner.jobID).id
        default: throw RipError.invalidArgument("name the artifact's owner: a session or a job id, not both")
        }
    }

    /// `owner` with its reference resolved to an id, in the field it came in.
    public func resolved(_ owner: Rip_V1_ArtifactOwner) throws -> Rip_V1_ArtifactOwner {
        let id = try ownerID(owner)
        return owner.jobID.isEmpty ? .with { $0.session = id } : .with { $0.jobID = id }
    }
}
