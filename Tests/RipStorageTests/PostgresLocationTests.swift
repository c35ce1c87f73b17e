import PostgresNIO
import RipPostgres
import Testing

@Suite("Shared store location")
struct PostgresLocationTests {
    /// The lock_timeout every connection of `location` sets at its start.
    static func lockTimeout(_ location: PostgresLocation) -> String? {
        location.configuration.options.additionalStartupParameters.first { $0.0 == "lock_timeout" }?.1
    }

    @Test("the server's waits for a lock end at 90% of the daemon's bound on a round trip (--store-timeout), before the daemon gives up on them")
    func lockTimeoutFollowsTheBound() throws {
        let location = try PostgresLocation("postgresql://ripd@/db?host=/tmp")
        #expect(Self.lockTimeout(location) == "9000ms")
        for (bound, expected) in [
            (Duration.seconds(1), "900ms"), (.seconds(5), "4500ms"), (.milliseconds(1_500), "1350ms"), (.seconds(3600), "3240000ms"),
        ] {
            let bounded = location.waitingLess(than: bound)
            #expect(Self.lockTimeout(bounded) == expected, "\(bound)")
            #expect(bounded.configuration.options.additionalStartupParameters.count == location.configuration.options.additionalStartupParameters.count)
            #expect(bounded.description == location.description)
        }
    }
}
