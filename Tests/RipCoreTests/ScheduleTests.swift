import Foundation
import RipBase
import RipCore
import RipProto
import Testing

@Suite("Schedules on a pinned clock")
struct ScheduleTests {
    static func at(_ text: String) -> UnixMillis { CronExpressionTests.at(text) }

    /// Decides and applies the tick due at the harness's time, if any.
    @discardableResult
    static func tick(_ h: inout JobHarness, id: String, maxJobs: UInt64 = .max) throws -> RipScheduleTick? {
        guard let mutation = h.state.decideNextTick(id: id, suffixes: PublicSuffixList(), maxJobs: maxJobs, now: h.now) else { return nil }
        try h.apply { $0 = mutation }
        return mutation.scheduleTick
    }

    static func add(_ h: inout JobHarness, _ name: String, cron: String = "* * * * *", zone: String = "",
                    catchUp: RipSchedule.CatchUp = .unspecified, overlap: RipSchedule.Overlap = .unspecified) throws {
        let mutation = try h.state.decideAddSchedule(.with {
            $0.name = name
            $0.cron = cron
            $0.timezone = zone
            $0.catchUp = catchUp
            $0.overlap = overlap
            $0.job = .with { $0.urls = ["https://example.com/\(name)"]; $0.method = "css" }
        }, webhooks: h.webhooks, now: h.now)
        try h.apply { $0 = mutation }
    }

    @Test("each tick submits one job; overlap skip waits for the previous job; replay and snapshots agree")
    func ticks() throws {
        var h = JobHarness()
        h.now = Self.at("2026-11-30T12:00:30Z")
        try Self.add(&h, "minutely")
        #expect(try h.state.schedules.find("minutely").nextFireAt.unixMillis == Self.at("2026-11-30T12:01:00Z"))
        h.now = Self.at("2026-11-30T12:00:59Z")
        #expect(try Self.tick(&h, id: "job_t1") == nil, "not due yet")
        h.now = Self.at("2026-11-30T12:01:00Z") + 50
        let first = try #require(try Self.tick(&h, id: "job_t1"))
        #expect(first.job.id == "job_t1" && first.nextFireUnixMs == Self.at("2026-11-30T12:02:00Z"))
        #expect(try h.job("job_t1").status == .pending && h.job("job_t1").urls == ["https://example.com/minutely"])
        #expect(try Self.tick(&h, id: "job_t2") == nil, "one job per tick")

        h.now = Self.at("2026-11-30T12:02:00Z")
        let skipped = try #require(try Self.tick(&h, id: "job_t2"))
        #expect(!skipped.hasJob && skipped.skipReason == "the previous tick's job job_t1 is pending")
        let lease = try #require(try h.claim().first)
        try h.apply { $0.completeJob = .with { $0.jobID = lease.id; $0.token = lease.token } }
        h.now = Self.at("2026-11-30T12:03:00Z")
        #expect(try Self.tick(&h, id: "job_t3")?.job.id == "job_t3")
        let schedule = try h.state.schedules.find("minutely")
        #expect(schedule.fired == 2 && schedule.skipped == 1 && schedule.lastJobID == "job_t3")

        let snapshot = h.state.snapshot(lastSequence: 1)
        #expect(snapshot.schedules == [schedule])
        var fresh = RipState()
        for record in h.records { _ = try fresh.apply(record) }
        #expect(fresh.snapshot(lastSequence: 1) == snapshot, "replaying the records needs no clock or zone")
        let restored = RipState(snapshot: try RipSnapshot(serializedBytes: try snapshot.serializedBytes() as Data))
        #expect(restored.schedules.list() == h.state.schedules.list())
    }

    @Test("ticks missed while ripd was down fire once with catch-up one, none with catch-up none")
    func catchUp() throws {
        var h = JobHarness()
        h.now = Self.at("2026-11-30T12:00:30Z")
        try Self.add(&h, "a-one", catchUp: .one, overlap: .allow)
        try Self.add(&h, "b-none", catchUp: .none, overlap: .allow)
        h.now = Self.at("2026-11-30T12:10:30Z")  // down from 12:00:30 to 12:10:30: ten ticks missed
        let one = try #require(try Self.tick(&h, id: "job_1"))
        #expect(one.name == "a-one" && one.job.id == "job_1" && one.nextFireUnixMs == Self.at("2026-11-30T12:11:00Z"))
        let none = try #require(try Self.tick(&h, id: "job_2"))
        #expect(none.name == "b-none" && !none.hasJob && none.skipReason.contains("missed by 570 s"))
        #expect(try Self.tick(&h, id: "job_3") == nil, "the rest of the missed ticks are gone")
        #expect(h.state.jobs.count == 1)
    }

    @Test("a tick while --max-jobs jobs are held is skipped, saying so; the next fires once there is room")
    func maxJobs() throws {
        var h = JobHarness()
        h.now = Self.at("2026-11-30T12:00:30Z")
        try Self.add(&h, "full", overlap: .allow)
        _ = try h.submit("held")
        h.now = Self.at("2026-11-30T12:01:00Z")
        let skipped = try #require(try Self.tick(&h, id: "job_s1", maxJobs: 1))
        #expect(!skipped.hasJob && skipped.skipReason.contains("1 jobs are held") && skipped.skipReason.contains("--max-jobs"))
        h.now = Self.at("2026-11-30T12:02:00Z")
        #expect(try Self.tick(&h, id: "job_s2", maxJobs: 2)?.job.id == "job_s2")
        #expect(try h.state.schedules.find("full").skipped == 1 && h.state.jobs.count == 2)
    }

    @Test("pause and resume: ticks that passed while paused do not fire")
    func pauseAndResume() throws {
        var h = JobHarness()
        h.now = Self.at("2026-11-30T12:00:30Z")
        try Self.add(&h, "p", cron: "*/5 * * * *")
        try h.apply { $0.pauseSchedule = .with { $0.name = "p" } }
        h.now = Self.at("2026-11-30T12:21:00Z")
        #expect(try Self.tick(&h, id: "job_x") == nil)
        let resume = try h.state.decideResumeSchedule("p", now: h.now)
        try h.apply { $0 = resume }
        #expect(try h.state.schedules.find("p").nextFireAt.unixMillis == Self.at("2026-11-30T12:25:00Z"))
        #expect(try #require(throws: RipError.self) { try h.apply { $0 = resume } }.code == .failedPrecondition)
    }

    @Test("a schedule whose zone left the time zone database stops, saying why, instead of failing every sweep")
    func zoneGone() throws {
        var h = JobHarness()
        let now = Self.at("2026-11-30T12:00:00Z")
        h.now = now
        try h.apply {
            $0.addSchedule = .with {
                $0.name = "gone"
                $0.cron = "* * * * *"
                $0.timezone = "Mars/Olympus"
                $0.nextFireAt = .init(unixMillis: now)
            }
        }
        let tick = try #require(try Self.tick(&h, id: "job_z"))
        #expect(!tick.hasJob && tick.skipReason.contains("unknown time zone 'Mars/Olympus'") && tick.nextFireUnixMs == 0)
        #expect(try !h.state.schedules.find("gone").hasNextFireAt && !h.state.schedules.hasDue(at: h.now + 3_600_000))
    }

    @Test("bad schedules are refused with what to fix")
    func validation() throws {
        var h = JobHarness()
        let good = RipSchedule.with { $0.name = "n"; $0.cron = "0 * * * *"; $0.job = .with { $0.urls = ["https://example.com/"] } }
        var cases: [(RipSchedule, String)] = []
        var bad = good; bad.name = ""; cases.append((bad, "schedule name"))
        bad = good; bad.name = "a b"; cases.append((bad, "schedule name"))
        bad = good; bad.cron = "61 * * * *"; cases.append((bad, "minute"))
        bad = good; bad.timezone = "Mars/Olympus"; cases.append((bad, "unknown time zone"))
        bad = good; bad.job.delayMs = 1000; cases.append((bad, "no run_at or delay"))
        bad = good; bad.job.urls = []; cases.append((bad, "URLs"))
        bad = good; bad.cron = "0 0 31 2 *"; cases.append((bad, "never fires"))
        for (schedule, mention) in cases {
            let error = try #require(throws: RipError.self) { try h.state.decideAddSchedule(schedule, webhooks: h.webhooks, now: h.now) }
            #expect(error.code == .invalidArgument && error.message.contains(mention), "\(error.message)")
        }
        let added = try h.state.decideAddSchedule(good, webhooks: h.webhooks, now: h.now)
        try h.apply { $0 = added }
        #expect(try h.state.schedules.find("n").timezone == "UTC")
        #expect(try #require(throws: RipError.self) { try h.state.decideAddSchedule(good, webhooks: h.webhooks, now: h.now) }.code == .alreadyExists)
        #expect(try #require(throws: RipError.self) { try h.apply { $0.removeSchedule = .with { $0.name = "none" } } }.code == .notFound)
    }
}
