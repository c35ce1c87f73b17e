import Histogram
import RipClient
import RipCore
import RipEngine
import RipServer

/// The cookie calls run against a `StateEngine` in this process (no journal, no socket), through
/// the same `StateEngine` functions the daemon's handlers call: what the engine, the writer lock
/// and reply encoding cost per call, one call at a time.
struct InProcessCookies {
    let call: Ripbench.Call
    let headerOnly: Bool
    let store = EmbeddedEngine()
    let policy = CookiePolicy(publicSuffixes: .bundled)
    let session = "ripbench"

    init(call: Ripbench.Call, headerOnly: Bool) throws {
        self.call = call
        self.headerOnly = headerOnly
        try store.commit(.with {
            $0.createSession = .with { $0.name = session }
            $0.newSessionID = RipID.session.generate()
            $0.sessionLimit.maxSessions = 1
        })
        for request in CookieWorkload.fill(session: session) { try storeCookies(request) }
    }

    private func storeCookies(_ request: RipStoreResponseCookiesRequest) throws {
        _ = try store.commit(changing: store.storeResponseCookies(request, policy: policy), durability: nil)
    }

    func measure(warmup: Double, duration: Double) throws -> Histogram<UInt64> {
        let lookups = CookieWorkload.lookups(session: session, headerOnly: headerOnly), stores = CookieWorkload.stores(session: session)
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let start = ContinuousClock.now
        let measureFrom = start + .seconds(warmup), end = measureFrom + .seconds(duration)
        var n = 0
        while true {
            let begin = ContinuousClock.now
            guard begin < end else { break }
            if call == .cookieHeader {
                _ = try store.cookieHeader(lookups[n % lookups.count]).serializedBytes() as [UInt8]
            } else {
                try storeCookies(stores[n % stores.count])
            }
            n += 1
            if begin >= measureFrom { _ = histogram.record(UInt64((ContinuousClock.now - begin) / .nanoseconds(1))) }
        }
        return histogram
    }
}
