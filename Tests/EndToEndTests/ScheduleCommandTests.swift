import Foundation
import RipClient
import RipProto
import Subprocess
import Testing

@Suite("Schedules through ripctl")
struct ScheduleCommandTests {
    @Test("a schedule every minute across a kill -9 over its tick: exactly one job per tick")
    func acrossKill() async throws {
        let daemon = try await Daemon()
        let ripctl = Ripctl(socketPath: daemon.socketPath)
        let added = try await ripctl(
            "schedule", "add", "minutely", "--cron", "* * * * *", "--overlap", "allow", "--url", "https://example.com/feed",
            "--json")
        #expect(added.status == 0, "\(added.stderr)")
        let first = try #require(added.json["next_fire_at"] as? String)
        let firstTick = try #require(ISO8601DateFormatter().date(from: first))
        #expect(try await ripctl("schedule", "add", "minutely", "--cron", "* * * * *", "--url", "https://e.example/").stderr
            .contains("ALREADY_EXISTS"))
        #expect(try await ripctl("schedule", "add", "bad", "--cron", "* * *", "--url", "https://e.example/").stderr
            .contains("five fields"))

        _ = try await daemon.stop(signal: SIGKILL)
        // ripd is down across the tick: the wall clock has to pass it.
        try await Task.sleep(for: .seconds(max(0, firstTick.timeIntervalSinceNow) + 1))
        let restarted = try await Daemon(directory: daemon.directory)
        let client = try await restarted.client()
        try await restarted.waitForLog("schedule fired")
        let secondTick = firstTick.addingTimeInterval(60)
        try await Task.sleep(for: .seconds(max(0, secondTick.timeIntervalSinceNow) + 1))
        let deadline = ContinuousClock.now + .seconds(60)  // a hang guard
        while try await client.getSchedule(.with { $0.name = "minutely" }).fired < 2 {
            try #require(ContinuousClock.now < deadline, "the second tick never fired")
            try await Task.sleep(for: .milliseconds(100))
        }
        let jobs = try await client.listJobs(.init()).jobs
        #expect(jobs.count == 2 && Set(jobs.map(\.urls)) == [["https://example.com/feed"]], "\(jobs.map(\.id))")
        let shown = try await Ripctl(socketPath: restarted.socketPath)("schedule", "show", "minutely")
        #expect(shown.stdout.contains(#/fired:\s+2/#) && shown.stdout.contains(#/skipped:\s+0/#), "\(shown.stdout)")
        #expect(try await Ripctl(socketPath: restarted.socketPath)("schedule", "rm", "minutely").stdout.contains("removed schedule minutely"))
    }
}
