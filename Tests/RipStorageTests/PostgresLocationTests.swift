import PostgresNIO
import RipPostgres
import Testing

@Suite("Shared store location")
struct PostgresLocationTests {
    /// The lock_timeout every connection of `location` sets at its start.
    static func lockTimeout(_ location: PostgresLocation) -> String? {
        location.configuration.options.additionalStartupParameters.first { $0.0 == "lock_timeout" }?.1
    }

    @Test("the server's waits for a lock end at 90% of the daemon's bound on a round trip (--store-timeout), before the daemon gives up on them; a connection gets half of it to open")
    func lockTimeoutFollowsTheBound() throws {
        let location = try PostgresLocation("postgresql://ripd@/db?host=/tmp")
        #expect(Self.lockTimeout(location) == "9000ms")
        #expect(location.configuration.options.connectTimeout == .seconds(5))
        for (bound, expected, connect) in [
            (Duration.seconds(1), "900ms", TimeAmount.milliseconds(500)), (.seconds(5), "4500ms", .milliseconds(2_500)),
            (.milliseconds(1_500), "1350ms", .milliseconds(750)), (.seconds(10), "9000ms", .seconds(5)),
            (.seconds(3600), "3240000ms", .seconds(1800)),
        ] {
            let bounded = location.waitingLess(than: bound)
            #expect(Self.lockTimeout(bounded) == expected, "\(bound)")
            #expect(bounded.configuration.options.connectTimeout == connect, "\(bound)")
            #expect(bounded.configuration.options.additionalStartupParameters.count == location.configuration.options.additionalStartupParameters.count)
            #expect(bounded.description == location.description)
        }
    }
}
