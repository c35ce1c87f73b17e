/// The cookie rules a daemon runs with: the Set-Cookie parser (and the Public Suffix List it
/// checks Domain attributes against) and the jar limits. Both are configuration, so every
/// decision that depends on them is made before a change is logged.
public struct CookiePolicy: Sendable {
    public var parser: SetCookieParser
    public var limits: CookieJar.Limits

    public init(publicSuffixes: PublicSuffixList = PublicSuffixList(), limits: CookieJar.Limits = CookieJar.Limits()) {
        self.parser = SetCookieParser(publicSuffixes: publicSuffixes)
        self.limits = limits
    }
}
