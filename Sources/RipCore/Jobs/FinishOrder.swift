import DequeModule
import RipBase
import RipProto

/// Finished jobs in the order they finished, so that clearing by age (the sweeper's retention
/// check, once a second) reads the oldest few instead of every job held.
///
/// Dead jobs are kept apart from the rest (completed, failed, cancelled): they have their own
/// retention. An entry is the job's id and the time it finished; one whose job was since
/// removed, retried or finished again no longer matches the job and is stale: readers skip it,
/// and changes drop stale entries from the front, and compact the order once stale entries
/// outnumber the jobs, so it stays within a multiple of the jobs held.
struct FinishOrder: Sendable {
    struct Entry: Sendable {
        let finishedAt: UnixMillis
        let id: String
    }

    private var usual: Deque<Entry> = []
    private var dead: Deque<Entry> = []

    /// Notes `job` as stored over `previous`: an entry when it finished now (or finished again).
    mutating func stored(_ job: RipJob, over previous: RipJob?, in jobs: [String: RipJob]) {
        guard job.status.isFinished else { return }
        if let previous, previous.status == job.status, previous.completedAt.unixMillis == job.completedAt.unixMillis { return }
        let entry = Entry(finishedAt: job.completedAt.unixMillis, id: job.id)
        if job.status == .dead {
            Self.insert(entry, into: &dead, jobs: jobs, dead: true)
        } else {
            Self.insert(entry, into: &usual, jobs: jobs, dead: false)
        }
    }

    /// Drops stale entries from the front (after jobs were removed).
    mutating func trim(_ jobs: [String: RipJob]) {
        Self.trim(&usual, jobs: jobs, dead: false)
        Self.trim(&dead, jobs: jobs, dead: true)
    }

    /// The finished jobs with `statuses` (of one order: dead, or not) that finished at or before
    /// `cutoff`, oldest first; `first` stops at the first.
    func finished(
        dead: Bool, until cutoff: UnixMillis, statuses: (RipJobStatus) -> Bool, in jobs: [String: RipJob], first: Bool = false
    ) -> [String] {
        var found: [String] = []
        // A job that finished twice in one millisecond has two entries that match it.
        var seen: Set<String> = []
        for entry in dead ? self.dead : usual {
            if entry.finishedAt > cutoff { break }
            guard let job = Self.current(entry, in: jobs, dead: dead), statuses(job.status), seen.insert(job.id).inserted
            else { continue }
            found.append(job.id)
            if first { break }
        }
        return found
    }

    /// The job `entry` stands for, if it is not stale.
    private static func current(_ entry: Entry, in jobs: [String: RipJob], dead: Bool) -> RipJob? {
        guard let job = jobs[entry.id], job.status.isFinished, (job.status == .dead) == dead,
            job.completedAt.unixMillis == entry.finishedAt
        else { return nil }
        return job
    }

    /// Inserts `entry` in finishing order: at the end unless the clock went back.
    private static func insert(_ entry: Entry, into order: inout Deque<Entry>, jobs: [String: RipJob], dead: Bool) {
        trim(&order, jobs: jobs, dead: dead)
        if order.count > 2 * jobs.count + 1024 {
            order = Deque(order.filter { current($0, in: jobs, dead: dead) != nil })
        }
        var index = order.count
        while index > 0, order[index - 1].finishedAt > entry.finishedAt { index -= 1 }
        order.insert(entry, at: index)
    }

    private static func trim(_ order: inout Deque<Entry>, jobs: [String: RipJob], dead: Bool) {
        while let first = order.first, current(first, in: jobs, dead: dead) == nil { order.removeFirst() }
    }
}
