import Foundation
import RipBase

/// A standard five-field cron expression: minute (0–59), hour (0–23), day of month (1–31),
/// month (1–12 or jan–dec) and day of week (0–7 or sun–sat, 0 and 7 both Sunday). Each field is
/// `*`, a value, a range `a-b`, any of those with a step (`*/5`, `10-50/20`, `5/15` = from 5 to
/// the end), or a comma-separated list of them. As in Vixie cron, when both day fields are
/// restricted a day matching either fires.
public struct CronExpression: Sendable, Equatable {
    let minutes: [Int]
    let hours: [Int]
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    public init(_ text: String) throws {
        guard text.utf8.count <= 256 else {
            throw RipError.invalidArgument("a cron expression is at most 256 bytes, got \(text.utf8.count)")
        }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5 else {
            throw RipError.invalidArgument(
                "a cron expression has five fields (minute hour day-of-month month day-of-week), got \(fields.count) in '\(text.prefix(100))'")
        }
        minutes = try Self.parse(fields[0], 0...59, "minute").sorted()
        hours = try Self.parse(fields[1], 0...23, "hour").sorted()
        days = try Self.parse(fields[2], 1...31, "day of month")
        months = try Self.parse(fields[3], 1...12, "month", names: Self.monthNames)
        weekdays = Set(try Self.parse(fields[4], 0...7, "day of week", names: Self.weekdayNames).map { $0 % 7 })
        daysRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
    }

    private static let monthNames = Dictionary(
        uniqueKeysWithValues: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].enumerated().map { ($1, $0 + 1) })
    private static let weekdayNames = Dictionary(
        uniqueKeysWithValues: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].enumerated().map { ($1, $0) })

    private static func parse(
        _ field: Substring, _ range: ClosedRange<Int>, _ what: String, names: [String: Int] = [:]
    ) throws -> Set<Int> {
        func bad(_ why: String) -> RipError {
            RipError.invalidArgument("invalid \(what) field '\(field.prefix(100))': \(why)")
        }
        func value(_ text: Substring) throws -> Int {
            if let number = Int(text), range.contains(number) { return number }
            if let named = names[text.lowercased()] { return named }
            throw bad("'\(text.prefix(20))' is not \(names.isEmpty ? "a number" : "a number or name") in \(range.lowerBound)–\(range.upperBound)")
        }
        var values: Set<Int> = []
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count), !pieces[0].isEmpty else { throw bad("'\(part.prefix(20))' is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let number = Int(pieces[1]), (1...range.count).contains(number) else {
                    throw bad("the step must be 1–\(range.count)")
                }
                step = number
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try value(pieces[0][..<dash]), high = try value(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw bad("the range \(low)-\(high) runs backwards") }
                bounds = low...high
            } else {
                let single = try value(pieces[0])
                bounds = pieces.count == 2 ? single...range.upperBound : single...single
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// The first time strictly after `after` at which the expression fires on the wall clock of
    /// `zone`, or nil when it never does within eight years (February 30).
    ///
    /// Across a daylight-saving change: a local time that does not exist that day (skipped by
    /// the clock going forward) does not fire; one that occurs twice (the clock going back)
    /// fires once, at its first occurrence.
    public func next(after: UnixMillis, in zone: TimeZone) -> UnixMillis? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let afterDate = Date(timeIntervalSince1970: Double(after) / 1000)
        let start = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: afterDate)
        guard var year = start.year, var month = start.month, var day = start.day else { return nil }
        var first = true
        for _ in 0..<(8 * 366) {
            if months.contains(month), dayMatches(year, month, day, calendar) {
                for hour in hours where !first || hour >= start.hour! {
                    for minute in minutes where !first || hour > start.hour! || minute >= start.minute! {
                        let wanted = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
                        guard let date = calendar.date(from: wanted) else { continue }
                        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                        guard back.hour == hour, back.minute == minute, back.day == day else { continue }  // skipped by DST
                        let millis = UnixMillis((date.timeIntervalSince1970 * 1000).rounded())
                        if millis > after { return millis }
                    }
                }
            }
            first = false
            day += 1
            if day > Self.daysIn(year, month, calendar) {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }
        return nil
    }

    private func dayMatches(_ year: Int, _ month: Int, _ day: Int, _ calendar: Calendar) -> Bool {
        guard day <= Self.daysIn(year, month, calendar) else { return false }
        let inMonth = days.contains(day)
        guard let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)) else { return false }
        let inWeek = weekdays.contains(calendar.component(.weekday, from: noon) - 1)
        if daysRestricted && weekdaysRestricted { return inMonth || inWeek }
        return inMonth && inWeek
    }

    private static func daysIn(_ year: Int, _ month: Int, _ calendar: Calendar) -> Int {
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1, hour: 12)) else { return 31 }
        return calendar.range(of: .day, in: .month, for: first)?.count ?? 31
    }
}
