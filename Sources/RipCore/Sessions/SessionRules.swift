import Foundation
import RipProto
import RipBase

/// Input rules for sessions. Each check throws INVALID_ARGUMENT with a message that says what
/// to fix, naming the limit and what was received.
enum SessionRules {

/// The characters of `text` as a limit of `limit` characters sees them: counted only when
/// its bytes could be that many characters (four bytes each at most); otherwise its byte
/// count, which is over the limit. A million combining marks make one Character, so a limit
/// in characters alone bounds nothing.
    static func characters(_ text: String, limit: Int) -> Int {
        let bytes = text.utf8.count
        return bytes > limit * 4 ? bytes : text.count
    }


/// A repeated field's length within `max`.
    static func checkCount(_ count: Int, of field: String, max: Int) throws {
        guard count <= max else { throw RipError.invalidArgument("\(field) holds at most \(max) entries, got \(count)") }
    }

    static func checkName(_ name: String) throws {
        let length = characters(name, limit: RipLimits.Session.maxNameLength)
        guard (1...RipLimits.Session.maxNameLength).contains(length) else {
            throw RipError.invalidArgument("session name must be 1–\(RipLimits.Session.maxNameLength) characters, got \(length)")
        }
        try checkNoControlCharacters(name, what: "session name")
        guard name.trimmingCharacters(in: .whitespaces) == name else {
            throw RipError.invalidArgument("session name must not start or end with whitespace: '\(name)'")
        }
        guard !RipID.session.isWellFormed(name) else {
            throw RipError.invalidArgument("session name '\(name)' has the form of a session id; choose another name")
        }
    }

    static func checkDescription(_ description: String) throws {
        guard characters(description, limit: RipLimits.Session.maxDescriptionLength) <= RipLimits.Session.maxDescriptionLength else {
            throw RipError.invalidArgument(
                "description must be at most \(RipLimits.Session.maxDescriptionLength) characters, got \(characters(description, limit: RipLimits.Session.maxDescriptionLength))")
        }
        try checkNoControlCharacters(description, what: "description", allowing: ["\n", "\t"])
    }

    static func checkTags(_ tags: [String], of owner: String = "session") throws {
        guard tags.count <= RipLimits.Session.maxTags else {
            throw RipError.invalidArgument("a \(owner) has at most \(RipLimits.Session.maxTags) tags, got \(tags.count)")
        }
        for tag in tags {
            let length = characters(tag, limit: RipLimits.Session.maxTagLength)
            guard (1...RipLimits.Session.maxTagLength).contains(length) else {
                throw RipError.invalidArgument("tag must be 1–\(RipLimits.Session.maxTagLength) characters, got \(length): '\(tag)'")
            }
            guard !tag.contains(","), tag.trimmingCharacters(in: .whitespaces) == tag else {
                throw RipError.invalidArgument("tag '\(tag)' must not contain commas or surrounding whitespace")
            }
            try checkNoControlCharacters(tag, what: "tag")
        }
    }

/// RFC 9110 §5.1: a field name is a token, 1*tchar.
    static func checkHeaderName(_ name: String) throws {
        guard (1...RipLimits.Session.maxHeaderNameLength).contains(name.utf8.count) else {
            throw RipError.invalidArgument(
                "header name must be 1–\(RipLimits.Session.maxHeaderNameLength) bytes, got \(name.utf8.count)")
        }
        guard name.utf8.allSatisfy(isTokenCharacter) else {
            throw RipError.invalidArgument(
                "header name '\(name.debugDescription.dropFirst().dropLast())' is not an RFC 9110 token: "
                    + "use letters, digits and !#$%&'*+-.^_`|~ only")
        }
    }

/// RFC 9110 §5.5: field values exclude CR, LF, NUL and other controls (HTAB is allowed).
    static func checkHeaderValue(_ value: String, what: String) throws {
        guard value.utf8.count <= RipLimits.Session.maxHeaderValueLength else {
            throw RipError.invalidArgument(
                "\(what) must be at most \(RipLimits.Session.maxHeaderValueLength) bytes, got \(value.utf8.count)")
        }
        guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
            throw RipError.invalidArgument("\(what) must not contain control characters such as CR or LF")
        }
    }

    static func checkHeaderCount(_ count: Int) throws {
        guard count <= RipLimits.Session.maxHeaders else {
            throw RipError.invalidArgument("a session has at most \(RipLimits.Session.maxHeaders) headers, got \(count)")
        }
    }

    static func checkHeaders(_ headers: [String: String]) throws {
        try checkHeaderCount(headers.count)
        for (name, value) in headers {
            try checkHeaderName(name)
            try checkHeaderValue(value, what: "value of header \(name)")
        }
    }

    static func checkMinutes(_ minutes: UInt64, what: String) throws {
        guard minutes <= RipLimits.Session.maxMinutes else {
            throw RipError.invalidArgument("\(what) must be at most \(RipLimits.Session.maxMinutes) minutes, got \(minutes)")
        }
    }

/// An absolute http or https URL with a host: "http" or "https" (any case), "://", then a
/// non-empty authority, and no whitespace or control characters anywhere. Replay runs it for
/// every recorded request, so it reads the bytes in place.
    static func checkURL(_ url: String) throws {
        let count = url.utf8.count
        guard count > 0, count <= RipLimits.maxURLBytes else {
            throw RipError.invalidArgument("url must be 1–\(RipLimits.maxURLBytes) bytes, got \(count)")
        }
        guard url.utf8.withContiguousStorageIfAvailable(isAbsoluteHTTPURL) ?? isAbsoluteHTTPURL(Array(url.utf8)) else {
            throw RipError.invalidArgument("url '\(url)' is not an absolute http:// or https:// URL")
        }
    }

    /// The host is the authority's last non-empty part between `@`s (so "user@" is a host), and
    /// must not start with ":".
    private static func isAbsoluteHTTPURL<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool
    where Bytes.Index == Int {
        func starts(with scheme: StaticString) -> Bool {
            guard bytes.count >= scheme.utf8CodeUnitCount else { return false }
            for offset in 0..<scheme.utf8CodeUnitCount where bytes[bytes.startIndex + offset] | 0x20 != scheme.utf8Start[offset] {
                return false
            }
            return true
        }
        let at = UInt8(ascii: "@")
        let authorityStart = bytes.startIndex + (starts(with: "https://") ? 8 : starts(with: "http://") ? 7 : 0)
        guard authorityStart > bytes.startIndex else { return false }
        var authorityEnd = authorityStart
        while authorityEnd < bytes.endIndex {
            let byte = bytes[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            authorityEnd += 1
        }
        var hostEnd = authorityEnd
        while hostEnd > authorityStart, bytes[hostEnd - 1] == at { hostEnd -= 1 }
        var hostStart = hostEnd
        while hostStart > authorityStart, bytes[hostStart - 1] != at { hostStart -= 1 }
        guard hostStart < hostEnd, bytes[hostStart] != UInt8(ascii: ":") else { return false }
        return !bytes.contains { $0 <= 0x20 || $0 == 0x7F }
    }

/// The parts of an imported session that a create never takes from the client: its times,
/// counters and last URL. (Name, tags, headers and timeout are checked as for a create.)
    static func checkImported(_ session: RipSession) throws {
        if session.hasCreatedAt { _ = try TimeRange.check(session.createdAt, "session.created_at") }
        if session.hasUpdatedAt { _ = try TimeRange.check(session.updatedAt, "session.updated_at") }
        if session.hasLastUsedAt { _ = try TimeRange.check(session.lastUsedAt, "session.last_used_at") }
        if session.hasExpiresAt { _ = try TimeRange.check(session.expiresAt, "session.expires_at") }
        let metadata = session.metadata
        for (field, count) in [
            ("requests_count", metadata.requestsCount), ("success_count", metadata.successCount),
            ("error_count", metadata.errorCount),
        ] where count > RipLimits.Session.maxImportedCount {
            throw RipError.invalidArgument("session.metadata.\(field) must be at most 2^53 (\(RipLimits.Session.maxImportedCount)), got \(count)")
        }
        if !metadata.lastRequestURL.isEmpty { try checkURL(metadata.lastRequestURL) }
        guard session.failureReason.utf8.count <= RipLimits.Session.maxReasonLength * 4 else {
            throw RipError.invalidArgument("session.failure_reason must be at most \(RipLimits.Session.maxReasonLength) characters")
        }
    }

    static func checkReason(_ reason: String) throws {
        guard (1...RipLimits.Session.maxReasonLength).contains(characters(reason, limit: RipLimits.Session.maxReasonLength)) else {
            throw RipError.invalidArgument(
                "a failure reason of 1–\(RipLimits.Session.maxReasonLength) characters is required, got \(characters(reason, limit: RipLimits.Session.maxReasonLength))")
        }
        try checkNoControlCharacters(reason, what: "reason", allowing: ["\n", "\t"])
    }

    static func checkNoControlCharacters(
        _ text: String, what: String, allowing allowed: Set<Unicode.Scalar> = []
    ) throws {
        let bad = text.unicodeScalars.first { $0.properties.generalCategory == .control && !allowed.contains($0) }
        if let bad {
            throw RipError.invalidArgument(
                "\(what) must not contain control characters (found U+\(String(bad.value, radix: 16, uppercase: true)))")
        }
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
