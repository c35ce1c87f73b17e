import Foundation
import RipBase
import RipProto

/// Politeness limits by key (a registrable domain or a job's rate_key) and the jobs of each key
/// running now. The rate half is served outside the state (permits are not durable); the
/// concurrency half makes claims skip a key's jobs while it has as many running as allowed.
struct JobLimits: Sendable {
    var byKey: [String: RipLimit] = [:]
    /// Running jobs per key, for every key with one running (limited or not).
    var running: [String: Int] = [:]

    /// How many more jobs of `key` may start now; nil when unlimited.
    func room(for key: String) -> Int? {
        guard let concurrency = byKey[key]?.concurrency, concurrency > 0 else { return nil }
        return max(0, Int(concurrency) - running[key, default: 0])
    }

    mutating func started(_ job: RipJob) {
        guard !job.limitKey.isEmpty else { return }
        running[job.limitKey, default: 0] += 1
    }

    mutating func stopped(_ job: RipJob) {
        guard !job.limitKey.isEmpty, let count = running[job.limitKey] else { return }
        running[job.limitKey] = count > 1 ? count - 1 : nil
    }
}

extension JobRules {
    /// A limit as ripd keeps it: checked, the burst defaulted to 1 when there is a rate.
    public static func checked(_ limit: RipLimit) throws -> RipLimit {
        try checkLimitKey(limit.key, what: "limit key")
        guard limit.rateCount <= 1_000_000, limit.ratePeriodMs <= 86_400_000 else {
            throw RipError.invalidArgument(
                "a rate is at most 1000000 permits per at most 86400000 ms, got \(limit.rateCount) per \(limit.ratePeriodMs) ms")
        }
        guard (limit.rateCount == 0) == (limit.ratePeriodMs == 0) else {
            throw RipError.invalidArgument("a rate needs both rate_count and rate_period_ms")
        }
        guard limit.burst <= 1_000_000, limit.concurrency <= 1_000_000 else {
            throw RipError.invalidArgument("burst and concurrency are at most 1000000")
        }
        if limit.burst > 0 && limit.rateCount == 0 { throw RipError.invalidArgument("burst needs a rate") }
        guard limit.rateCount > 0 || limit.concurrency > 0 else {
            throw RipError.invalidArgument("a limit needs a rate, a concurrency or both")
        }
        var limit = limit
        if limit.rateCount > 0 && limit.burst == 0 { limit.burst = 1 }
        return limit
    }

    /// The key an `Acquire` asks a permit of: its key, or its URL's registrable domain.
    public static func key(of request: RipAcquireRequest, suffixes: PublicSuffixList) throws -> String {
        guard request.key.isEmpty != request.url.isEmpty else { throw RipError.invalidArgument("give either key or url") }
        guard request.waitMs <= 60_000 else {
            throw RipError.invalidArgument("wait must be at most 60000 ms, got \(request.waitMs)")
        }
        guard request.url.isEmpty else {
            try SessionRules.checkURL(request.url)
            return suffixes.limitKey(ofURL: request.url)
        }
        try checkLimitKey(request.key, what: "key")
        return request.key
    }

    static func checkLimitKey(_ key: String, what: String) throws {
        let length = SessionRules.characters(key, limit: RipLimits.Job.maxUniqueKeyLength)
        guard (1...RipLimits.Job.maxUniqueKeyLength).contains(length) else {
            throw RipError.invalidArgument("\(what) must be 1–\(RipLimits.Job.maxUniqueKeyLength) characters, got \(length)")
        }
        try SessionRules.checkNoControlCharacters(key, what: what)
    }
}

extension PublicSuffixList {
    /// The registrable domain of `host` (example.com for www.example.com, example.co.uk for
    /// a.example.co.uk): its public suffix and one label more. A host that is itself a public
    /// suffix, or an IP address, is its own.
    public func registrableDomain(of host: String) -> String {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard let ascii = Punycode.asciiHost(host), !ascii.contains(":"),
            ascii.contains(where: { $0.isLetter })
        else { return host }
        let labels = ascii.split(separator: ".")
        for start in labels.indices where isPublicSuffix(labels[start...].joined(separator: ".")) {
            return start == labels.startIndex ? ascii : labels[(start - 1)...].joined(separator: ".")
        }
        return ascii
    }

    /// The limit key of a URL: its host's registrable domain ("" when it has no host).
    public func limitKey(ofURL url: String) -> String {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return "" }
        return registrableDomain(of: host)
    }
}
