import RipProto
import RipBase

/// Input rules for artifacts; each check throws INVALID_ARGUMENT naming the limit.
public enum ArtifactRules {

    public static func check(_ request: RipCommitUploadRequest) throws {
        guard (1...RipLimits.Artifact.maxNameLength).contains(SessionRules.characters(request.name, limit: RipLimits.Artifact.maxNameLength)) else {
            throw RipError.invalidArgument("artifact name must be 1–\(RipLimits.Artifact.maxNameLength) characters, got \(SessionRules.characters(request.name, limit: RipLimits.Artifact.maxNameLength))")
        }
        try SessionRules.checkNoControlCharacters(request.name, what: "artifact name")
        guard SessionRules.characters(request.contentType, limit: RipLimits.Artifact.maxContentTypeLength) <= RipLimits.Artifact.maxContentTypeLength else {
            throw RipError.invalidArgument("content type must be at most \(RipLimits.Artifact.maxContentTypeLength) characters")
        }
        try SessionRules.checkNoControlCharacters(request.contentType, what: "content type")
        try SessionRules.checkTags(request.tags, of: "artifact")
        guard request.metadata.count <= RipLimits.Artifact.maxMetadataEntries else {
            throw RipError.invalidArgument("an artifact has at most \(RipLimits.Artifact.maxMetadataEntries) metadata entries, got \(request.metadata.count)")
        }
        for (key, value) in request.metadata {
            guard (1...RipLimits.Artifact.maxMetadataKeyLength).contains(SessionRules.characters(key, limit: RipLimits.Artifact.maxMetadataKeyLength)),
                SessionRules.characters(value, limit: RipLimits.Artifact.maxMetadataValueLength) <= RipLimits.Artifact.maxMetadataValueLength else {
                throw RipError.invalidArgument(
                    "metadata keys are 1–\(RipLimits.Artifact.maxMetadataKeyLength) characters and values at most \(RipLimits.Artifact.maxMetadataValueLength): '\(key.prefix(40))'")
            }
        }
        if !request.expectedSha256.isEmpty && !isSHA256(request.expectedSha256) {
            throw RipError.invalidArgument("expected_sha256 must be 64 lowercase hex digits")
        }
    }

/// The filters of QueryArtifacts: tags as on an artifact, a glob no longer than a name
/// pattern needs, times within `TimeRange`.
    static func checkQuery(_ request: RipQueryArtifactsRequest) throws {
        try SessionRules.checkTags(request.tags, of: "filter")
        try SessionRules.checkCount(request.types.count, of: "types", max: RipLimits.Session.maxFilterValues)
        guard request.nameGlob.utf8.count <= RipLimits.Artifact.maxGlobBytes else {
            throw RipError.invalidArgument("name_glob must be at most \(RipLimits.Artifact.maxGlobBytes) bytes, got \(request.nameGlob.utf8.count)")
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
    public func ownerID(_ owner: RipArtifactOwner) throws -> String {
        switch (owner.session.isEmpty, owner.jobID.isEmpty) {
        case (false, true): return try sessions.id(of: owner.session)
        case (true, false): return try jobs.find(owner.jobID).id
        default: throw RipError.invalidArgument("name the artifact's owner: a session or a job id, not both")
        }
    }

/// `owner` with its reference resolved to an id, in the field it came in.
    public func resolved(_ owner: RipArtifactOwner) throws -> RipArtifactOwner {
        let id = try ownerID(owner)
        return owner.jobID.isEmpty ? .with { $0.session = id } : .with { $0.jobID = id }
    }
}
