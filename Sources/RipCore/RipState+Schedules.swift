import Foundation
import RipBase
import RipProto

extension RipState {
    /// The decision of AddSchedule at `now`: the schedule checked (name, expression, zone, job
    /// template, its webhook allowed by `webhooks`), defaults filled, its first tick after `now`.
    public func decideAddSchedule(_ request: RipSchedule, webhooks: WebhookPolicy, now: UnixMillis) throws -> RipMutation {
        try ScheduleRules.checkName(request.name)
        var schedule = RipSchedule.with {
            $0.name = request.name
            $0.cron = request.cron
            $0.timezone = request.timezone.isEmpty ? "UTC" : request.timezone
            $0.job = request.job
            $0.catchUp = request.catchUp == .unspecified ? .one : request.catchUp
            $0.overlap = request.overlap == .unspecified ? .skip : request.overlap
            $0.createdAt = .init(unixMillis: now)
        }
        let (cron, zone) = try ScheduleRules.timing(schedule)
        try JobRules.validate(schedule.job, webhooks: webhooks, now: now)
        guard !schedule.job.hasRunAt, schedule.job.delayMs == 0 else {
            throw RipError.invalidArgument("a schedule's job takes no run_at or delay: its ticks say when it runs")
        }
        guard let first = cron.next(after: now, in: zone) else {
            throw RipError.invalidArgument("'\(schedule.cron)' never fires (a day no month has?)")
        }
        schedule.nextFireAt = .init(unixMillis: first)
        if schedules.byName[schedule.name] != nil {
            throw RipError.alreadyExists("a schedule named '\(schedule.name)' exists; remove it first")
        }
        return .with { $0.addSchedule = schedule }
    }

    /// The decision of ResumeSchedule at `now`: ticks that passed while paused do not fire.
    public func decideResumeSchedule(_ name: String, now: UnixMillis) throws -> RipMutation {
        let schedule = try schedules.find(name)
        let (cron, zone) = try ScheduleRules.timing(schedule)
        return .with {
            $0.resumeSchedule = .with {
                $0.name = name
                $0.nextFireUnixMs = cron.next(after: now, in: zone) ?? 0
            }
        }
    }

    /// The sweeper's decision at `now`: the tick of the schedule due first, if any. It submits
    /// the schedule's job (`id` for it) unless the tick is skipped: missed by more than a minute
    /// with catch-up NONE, the previous tick's job unfinished with overlap SKIP, or its unique
    /// key held, or `maxJobs` jobs held. A late tick that still fires (catch-up ONE) stands for
    /// every tick missed.
    public func decideNextTick(id: String, suffixes: PublicSuffixList, maxJobs: UInt64 = .max, now: UnixMillis) -> RipMutation? {
        guard let schedule = schedules.due(at: now) else { return nil }
        var tick = RipScheduleTick.with {
            $0.name = schedule.name
            $0.tickUnixMs = schedule.nextFireAt.unixMillis
        }
        guard let (cron, zone) = try? ScheduleRules.timing(schedule) else {
            // Its zone left this machine's time zone database: the schedule stops, saying why.
            tick.skipReason = "unknown time zone '\(schedule.timezone)'; the schedule stops (remove it and add it again)"
            return .with { $0.scheduleTick = tick }
        }
        tick.nextFireUnixMs = cron.next(after: now, in: zone) ?? 0
        let previous = jobs.byID[schedule.lastJobID]
        if now - tick.tickUnixMs >= ScheduleRules.lateAfterMs && schedule.catchUp == .none {
            tick.skipReason = "missed by \((now - tick.tickUnixMs) / 1000) s (ripd down?) with catch-up none"
        } else if schedule.overlap == .skip, let previous, !previous.status.isFinished {
            tick.skipReason = "the previous tick's job \(previous.id) is \(JobBoard.view(previous, at: now).status.word)"
        } else {
            do {
                switch try decideSubmit(schedule.job, id: id, suffixes: suffixes, maxJobs: maxJobs, now: now) {
                case .create(let mutation): tick.job = mutation.submitJob
                case .existing(let holder): tick.skipReason = "job \(holder.id) holds unique key '\(holder.uniqueKey)'"
                }
            } catch {
                // Its session went, say.
                tick.skipReason = "the job was refused: \((error as? RipError)?.message ?? "\(error)")"
            }
        }
        return .with { $0.scheduleTick = tick }
    }
}

enum ScheduleRules {
    /// A tick this late fires only with catch-up ONE.
    static let lateAfterMs: Int64 = 60_000

    static func checkName(_ name: String) throws {
        let valid = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || "-_.".utf8.contains(byte)
        }
        guard (1...128).contains(name.utf8.count), valid else {
            throw RipError.invalidArgument("a schedule name is 1–128 letters, digits, '-', '_' or '.', got '\(name.prefix(128))'")
        }
    }

    /// The schedule's expression and zone.
    static func timing(_ schedule: RipSchedule) throws -> (CronExpression, TimeZone) {
        let cron = try CronExpression(schedule.cron)
        guard schedule.timezone.utf8.count <= 64, let zone = TimeZone(identifier: schedule.timezone) else {
            throw RipError.invalidArgument("unknown time zone '\(schedule.timezone.prefix(64))'; use an IANA name such as Europe/Berlin or UTC")
        }
        return (cron, zone)
    }
}
