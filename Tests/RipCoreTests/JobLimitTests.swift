import Foundation
import RipBase
import RipCore
import RipProto
import Testing

@Suite("Job limits")
struct JobLimitTests {
    @Test("claims skip a key's jobs while its concurrency is used, and take them again as they finish; replay and snapshots agree")
    func concurrency() throws {
        var h = JobHarness()
        try h.apply { $0.setLimit = .with { $0.key = "example.com"; $0.concurrency = 2 } }
        let limited = try (0..<4).map { try h.submit("l\($0)") }
        let other = try h.submit("other", rateKey: "elsewhere")
        #expect(try h.job(limited[0]).limitKey == "example.com" && h.job(other).limitKey == "elsewhere")

        #expect(try h.claim(max: 10).map(\.id) == [limited[0], limited[1], other], "two of the key, and the other key's job")
        #expect(try h.claim(max: 10).isEmpty, "the key has no room")
        #expect(h.state.jobs.listLimits().running == ["example.com": 2])

        let token = try h.job(limited[0]).lease.token
        let done = try h.apply { $0.completeJob = .with { $0.jobID = limited[0]; $0.token = token } }
        #expect(done.readiedJobs, "a finished job of a full key wakes waiting claims")
        #expect(try h.claim(max: 10).map(\.id) == [limited[2]])

        // Raising the limit puts the parked jobs back at once; so does removing it.
        let raised = try h.apply { $0.setLimit = .with { $0.key = "example.com"; $0.concurrency = 5 } }
        #expect(raised.readiedJobs)
        #expect(try h.claim(max: 10).map(\.id) == [limited[3]])

        let snapshot = h.state.snapshot(lastSequence: 1)
        #expect(snapshot.limits.map(\.key) == ["example.com"])
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: try snapshot.serializedBytes() as Data))
        #expect(restored.jobs.listLimits() == h.state.jobs.listLimits())
        #expect(try h.replayed() == snapshot.jobs)

        try h.apply { $0.removeLimit = .with { $0.key = "example.com" } }
        #expect(h.state.jobs.listLimits().limits.isEmpty)
        let missing = try #require(throws: RipError.self) { try h.apply { $0.removeLimit = .with { $0.key = "example.com" } } }
        #expect(missing.code == .notFound)
    }

    @Test("limits are checked: keys, rates, bursts and extremes")
    func validation() throws {
        let bad: [RipLimit] = [
            .with { $0.key = ""; $0.concurrency = 1 },
            .with { $0.key = String(repeating: "k", count: 257); $0.concurrency = 1 },
            .with { $0.key = "a\u{7}b"; $0.concurrency = 1 },
            .with { $0.key = "k" },
            .with { $0.key = "k"; $0.rateCount = 5 },
            .with { $0.key = "k"; $0.ratePeriodMs = 1000 },
            .with { $0.key = "k"; $0.burst = 3; $0.concurrency = 1 },
            .with { $0.key = "k"; $0.rateCount = .max; $0.ratePeriodMs = 1000 },
            .with { $0.key = "k"; $0.rateCount = 1; $0.ratePeriodMs = .max },
            .with { $0.key = "k"; $0.concurrency = .max },
        ]
        for limit in bad {
            let error = try #require(throws: RipError.self) { try JobRules.checked(limit) }
            #expect(error.code == .invalidArgument, "\(limit)")
        }
        #expect(try JobRules.checked(.with { $0.key = "k"; $0.rateCount = 5; $0.ratePeriodMs = 1000 }).burst == 1)
        let extremes: [RipAcquireRequest] = [
            .init(), .with { $0.key = "k"; $0.url = "https://k/" }, .with { $0.key = "k"; $0.waitMs = .max },
            .with { $0.url = "ftp://k/" }, .with { $0.key = String(repeating: "k", count: 300) },
        ]
        for request in extremes {
            #expect(throws: RipError.self) { try JobRules.key(of: request, suffixes: PublicSuffixList()) }
        }
    }

    @Test("the limit key of a URL is its registrable domain under the Public Suffix List")
    func registrableDomains() {
        let list = PublicSuffixList(text: "com\nuk\nco.uk\n*.ck\n!www.ck\ngithub.io\n")
        #expect(list.registrableDomain(of: "www.example.com") == "example.com")
        #expect(list.registrableDomain(of: "a.b.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain(of: "user.github.io") == "user.github.io")
        #expect(list.registrableDomain(of: "x.y.ck") == "x.y.ck" && list.registrableDomain(of: "www.ck") == "www.ck")
        #expect(list.registrableDomain(of: "co.uk") == "co.uk", "a public suffix is its own key")
        #expect(list.registrableDomain(of: "127.0.0.1") == "127.0.0.1" && list.registrableDomain(of: "localhost") == "localhost")
        #expect(list.registrableDomain(of: "WWW.Example.COM.") == "example.com")
        #expect(list.limitKey(ofURL: "https://shop.example.co.uk:8443/a?b") == "example.co.uk")
        #expect(list.limitKey(ofURL: "not a url") == "")
    }
}
