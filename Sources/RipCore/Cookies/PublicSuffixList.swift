/// The Public Suffix List (https://publicsuffix.org/list/): the domains under which anyone can
/// register names ("com", "co.uk", "github.io"), so a cookie may not claim them as its Domain
/// (RFC 6265bis §5.7 step 6).
public struct PublicSuffixList: Sendable {
    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []

    /// The empty list: only the implicit "*" rule applies (every top-level label is a suffix).
    public init() {}

    /// Parses the list's text format: one rule per line, "//" comments, "*." wildcards and
    /// "!" exceptions; Unicode rules are stored as their A-labels.
    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let rule = line.split(whereSeparator: \.isWhitespace).first, !rule.hasPrefix("//") else { continue }
            if rule.hasPrefix("!") {
                if let host = Punycode.asciiHost(String(rule.dropFirst()).lowercased()) { exceptions.insert(host) }
            } else if rule.hasPrefix("*.") {
                if let host = Punycode.asciiHost(String(rule.dropFirst(2)).lowercased()) { wildcards.insert(host) }
            } else if let host = Punycode.asciiHost(String(rule).lowercased()) {
                rules.insert(host)
            }
        }
    }

    public var ruleCount: Int { rules.count + wildcards.count + exceptions.count }

    /// Whether `domain` (canonical: lowercase A-labels, no leading dot) is itself a public
    /// suffix under the list's algorithm, including the implicit "*" rule for unlisted TLDs.
    public func isPublicSuffix(_ domain: String) -> Bool {
        if exceptions.contains(domain) { return false }
        if rules.contains(domain) { return true }
        guard let dot = domain.firstIndex(of: ".") else { return true }
        return wildcards.contains(String(domain[domain.index(after: dot)...]))
    }
}
