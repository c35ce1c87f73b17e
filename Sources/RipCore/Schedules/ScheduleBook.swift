import Foundation
import RipBase
import RipProto

/// Cron schedules by name. Changes come through `RipState.apply`; when a tick fires and what
/// it submits is decided by `RipState.decideNextTick` and recorded, so replay never reads a
/// clock or a time zone.
public struct ScheduleBook: Sendable {
    var byName: [String: RipSchedule] = [:]

    public init() {}

    public var count: Int { byName.count }

    public func find(_ name: String) throws -> RipSchedule {
        guard let schedule = byName[name] else {
            throw RipError.notFound("no schedule named '\(name.prefix(128))'; `ripctl schedule list` shows them")
        }
        return schedule
    }

    public func list() -> RipListSchedulesResponse {
        .with { $0.schedules = byName.values.sorted { $0.name < $1.name } }
    }

    /// The unpaused schedule whose tick is due first at `now` (by time, then name).
    func due(at now: UnixMillis) -> RipSchedule? {
        byName.values.filter { !$0.paused && $0.hasNextFireAt && $0.nextFireAt.unixMillis <= now }
            .min { ($0.nextFireAt.unixMillis, $0.name) < ($1.nextFireAt.unixMillis, $1.name) }
    }

    /// Whether a tick is due at `now` (the sweeper's cheap check).
    public func hasDue(at now: UnixMillis) -> Bool { due(at: now) != nil }

    mutating func add(_ schedule: RipSchedule) throws -> Applied {
        guard byName[schedule.name] == nil else {
            throw RipError.alreadyExists("a schedule named '\(schedule.name)' exists; remove it first")
        }
        guard byName.count < RipLimits.Job.maxSchedules else {
            throw RipError.resourceExhausted("\(RipLimits.Job.maxSchedules) schedules exist, the most allowed; remove one first")
        }
        byName[schedule.name] = schedule
        return Applied()
    }

    mutating func remove(_ name: String) throws -> Applied {
        _ = try find(name)
        byName[name] = nil
        return Applied()
    }

    mutating func pause(_ name: String) throws -> Applied {
        var schedule = try find(name)
        guard !schedule.paused else { throw RipError.failedPrecondition("schedule '\(name)' is already paused") }
        schedule.paused = true
        byName[name] = schedule
        return Applied()
    }

    mutating func resume(_ tick: RipScheduleTick) throws -> Applied {
        var schedule = try find(tick.name)
        guard schedule.paused else { throw RipError.failedPrecondition("schedule '\(tick.name)' is not paused") }
        schedule.paused = false
        schedule.next(at: tick.nextFireUnixMs)
        byName[tick.name] = schedule
        return Applied()
    }

    /// Throws unless `tick` is the schedule's next one.
    func check(_ tick: RipScheduleTick) throws {
        let schedule = try find(tick.name)
        guard schedule.hasNextFireAt, schedule.nextFireAt.unixMillis == tick.tickUnixMs else {
            throw RipError.failedPrecondition("schedule '\(tick.name)' has no tick at \(tick.tickUnixMs)")
        }
    }

    /// Records a checked tick: the job it submitted (applied by the caller) or why it skipped.
    mutating func ticked(_ tick: RipScheduleTick) {
        guard var schedule = byName[tick.name] else { return }
        schedule.lastFiredAt = .init(unixMillis: tick.tickUnixMs)
        if tick.hasJob {
            schedule.fired += 1
            schedule.lastJobID = tick.job.id
        } else {
            schedule.skipped += 1
            schedule.lastSkipReason = tick.skipReason
        }
        schedule.next(at: tick.nextFireUnixMs)
        byName[tick.name] = schedule
    }
}

extension RipSchedule {
    /// The next tick at `millis`; none when 0 (the expression never fires again).
    mutating func next(at millis: Int64) {
        if millis > 0 { nextFireAt = .init(unixMillis: millis) } else { clearNextFireAt() }
    }
}
