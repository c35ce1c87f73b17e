import Foundation
import RipBase
import RipCore
import Testing

@Suite("Cron expressions")
struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// Milliseconds of an ISO 8601 time.
    static func at(_ text: String) -> UnixMillis {
        UnixMillis(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000)
    }

    static func iso(_ millis: UnixMillis?) -> String {
        guard let millis else { return "never" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// The next `count` fire times after `start`.
    static func fires(_ cron: String, after start: String, _ count: Int, in zone: TimeZone = utc) throws -> [String] {
        let expression = try CronExpression(cron)
        var times: [String] = []
        var after = at(start)
        for _ in 0..<count {
            guard let next = expression.next(after: after, in: zone) else { break }
            times.append(iso(next))
            after = next
        }
        return times
    }

    @Test("steps, ranges, lists and names")
    func syntax() throws {
        #expect(try Self.fires("*/5 * * * *", after: "2026-11-30T12:03:00Z", 3) == ["2026-11-30T12:05:00Z", "2026-11-30T12:10:00Z", "2026-11-30T12:15:00Z"])
        #expect(try Self.fires("0 9-17/4 * * mon-fri", after: "2026-11-27T16:00:00Z", 4)
            == ["2026-11-27T17:00:00Z", "2026-11-30T09:00:00Z", "2026-11-30T13:00:00Z", "2026-11-30T17:00:00Z"], "Friday 17:00, then Monday")
        #expect(try Self.fires("30 2 1,15 jan,JUL *", after: "2026-01-10T00:00:00Z", 3)
            == ["2026-01-15T02:30:00Z", "2026-07-01T02:30:00Z", "2026-07-15T02:30:00Z"])
        #expect(try Self.fires("0 0 * * 7", after: "2026-11-30T00:00:00Z", 1) == ["2026-12-06T00:00:00Z"], "7 is Sunday too")
        #expect(try Self.fires("5/20 * * * *", after: "2026-11-30T12:00:00Z", 3) == ["2026-11-30T12:05:00Z", "2026-11-30T12:25:00Z", "2026-11-30T12:45:00Z"])
        #expect(try Self.fires("0 0 13 * fri", after: "2026-11-01T00:00:00Z", 3)
            == ["2026-11-06T00:00:00Z", "2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z"], "both day fields restricted: either matches")
        #expect(try Self.fires("0 0 29 2 *", after: "2026-03-01T00:00:00Z", 1) == ["2028-02-29T00:00:00Z"])
        #expect(try CronExpression("0 0 30 2 *").next(after: 0, in: Self.utc) == nil, "February 30 never comes")
        #expect(try CronExpression("* * * * *").next(after: Self.at("2026-11-30T12:00:00Z") + 500, in: Self.utc) == Self.at("2026-11-30T12:01:00Z"))
        #expect(try Self.fires("* * * * *", after: "2026-11-30T12:00:00Z", 1) == ["2026-11-30T12:01:00Z"], "strictly after")
    }

    @Test("daylight saving in a named zone: a skipped time does not fire, a repeated one fires once")
    func daylightSaving() throws {
        // Europe/Berlin: 2026-03-29 02:00 CET becomes 03:00 CEST; 2026-10-25 03:00 CEST becomes 02:00 CET.
        #expect(try Self.fires("30 2 * * *", after: "2026-03-27T12:00:00Z", 3, in: Self.berlin)
            == ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"], "no 02:30 on the 29th")
        #expect(try Self.fires("30 2 * * *", after: "2026-10-24T12:00:00Z", 2, in: Self.berlin)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"], "02:30 on the 25th once, at its first occurrence")
        #expect(try Self.fires("0 * * * *", after: "2026-10-24T23:30:00Z", 4, in: Self.berlin)
            == ["2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z", "2026-10-25T04:00:00Z"],
            "02:00 local comes twice (00:00Z and 01:00Z) and fires once")
        #expect(try Self.fires("0 9 * * *", after: "2026-03-28T12:00:00Z", 2, in: Self.berlin)
            == ["2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"], "09:00 local stays 09:00 local across the change")
    }

    @Test("invalid expressions say what is wrong")
    func invalid() {
        let cases: [(String, String)] = [
            ("* * * *", "five fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"),
            ("* * * foo *", "month"), ("1,,2 * * * *", "minute"), ("*/61 * * * *", "step"), ("-1 * * * *", "minute"),
            ("* * * * * *", "five fields"), (String(repeating: "1,", count: 10_000) + "1 * * * *", "at most 256 bytes"),
        ]
        for (text, mention) in cases {
            let error = try? #require(throws: RipError.self) { try CronExpression(text) }
            #expect(error?.code == .invalidArgument && error?.message.contains(mention) == true, "\(text.prefix(40)): \(error?.message ?? "")")
        }
    }
}
