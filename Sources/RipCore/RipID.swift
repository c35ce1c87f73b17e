/// The ids of what ripd keeps: a prefix naming the kind, then 32 lowercase hex digits (128
/// random bits).
public enum RipID: String, Sendable {
    case session = "sess_"
    case job = "job_"
    case artifact = "art_"
    case upload = "upl_"

    public var prefix: String { rawValue }

    /// A fresh id. Randomness stays outside `apply`: handlers call this and put the id in the
    /// mutation, so replay reuses it.
    public func generate() -> String { prefix + RandomHex.make() }

    public func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let digits = text.utf8.dropFirst(prefix.utf8.count)
        return digits.count == 32
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}

/// 128 random bits as 32 lowercase hex digits: the body of ids and lease tokens.
public enum RandomHex {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
