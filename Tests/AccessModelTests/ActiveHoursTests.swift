import Foundation
import Testing

@testable import AccessModel

struct ActiveHoursTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let weekdays = ActiveHours(days: [1, 2, 3, 4, 5], from: 8 * 60, to: 20 * 60, timeZone: berlin)

    private static func date(_ text: String) -> Date { Date(rfc3339: text)! }

    @Test(arguments: [
        ("2027-03-24T07:30:00Z", true),  // Wednesday 08:30 CET
        ("2027-03-24T06:59:59Z", false),  // Wednesday 07:59:59 CET
        ("2027-03-24T19:00:00Z", false),  // Wednesday 20:00 CET: `to` is exclusive
        ("2027-03-27T10:00:00Z", false),  // Saturday
        ("2027-03-29T06:30:00Z", true),  // Monday 08:30 CEST, after the clocks went forward
        ("2027-03-29T06:59:00Z", true),
    ])
    func weekdaysInBerlin(instant: String, expected: Bool) {
        #expect(Self.weekdays.contains(Self.date(instant)) == expected)
    }

    @Test func theNextChangeFollowsDaylightSaving() {
        // Friday 20:00 CET ends the week; Monday 08:00 CEST (06:00Z, not 07:00Z) starts the next.
        #expect(Self.weekdays.nextChange(after: Self.date("2027-03-26T12:00:00Z")) == Self.date("2027-03-26T19:00:00Z"))
        #expect(Self.weekdays.nextChange(after: Self.date("2027-03-26T19:00:00Z")) == Self.date("2027-03-29T06:00:00Z"))
    }

    @Test func overnightWindowsBelongToTheDayTheyStart() {
        let nights = ActiveHours(days: [5], from: 22 * 60, to: 6 * 60, timeZone: TimeZone(identifier: "UTC")!)
        #expect(nights.contains(Self.date("2027-03-26T23:00:00Z")))  // Friday night
        #expect(nights.contains(Self.date("2027-03-27T05:59:00Z")))  // Saturday early, Friday's window
        #expect(!nights.contains(Self.date("2027-03-27T23:00:00Z")))  // Saturday night
        #expect(nights.nextChange(after: Self.date("2027-03-27T01:00:00Z")) == Self.date("2027-03-27T06:00:00Z"))
    }

    @Test func allDayEveryDayNeverChanges() {
        let always = ActiveHours(days: Set(1...7), from: 0, to: 24 * 60, timeZone: Self.berlin)
        #expect(always.contains(Self.date("2027-03-28T01:30:00Z")))
        #expect(always.nextChange(after: Self.date("2027-03-28T01:30:00Z")) == nil)
    }

    @Test(arguments: [
        ("{days: [Mon-Fri], from: \"08:00\", to: \"20:00\", timeZone: Europe/Berlin}", nil as String?),
        ("{days: [Fri-Mon], from: \"22:00\", to: \"06:00\", timeZone: UTC}", nil),
        (
            "{days: [Monday], from: \"08:00\", to: \"20:00\", timeZone: UTC}",
            "spec.activeHours.days[0]: \"Monday\" is not a day like Mon or a range like Mon-Fri"
        ),
        (
            "{days: [Mon], from: \"8:00\", to: \"20:00\", timeZone: UTC}",
            "spec.activeHours.from: \"8:00\" is not a time of day like 08:00"
        ),
        ("{days: [Mon], from: \"08:00\", to: \"08:00\", timeZone: UTC}", "spec.activeHours.to: must differ from from"),
        (
            "{days: [Mon], from: \"08:00\", to: \"20:00\", timeZone: Mars/Olympus}",
            "spec.activeHours.timeZone: \"Mars/Olympus\" is not a time zone name like Europe/Berlin or UTC"
        ),
    ])
    func policiesDecodeActiveHours(value: String, error: String?) {
        let text = Fixtures.policy(
            "p", "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 8h\nactiveHours: \(value)")
        let file = ResourceDecoder().decode(Array(text.utf8), path: "p.yaml")
        #expect(file.errors.map(\.message) == (error.map { [$0] } ?? []))
    }

    /// Abbreviations and offsets name no zone reliably (Foundation reads BST as Bangladesh); IANA names do.
    @Test(arguments: [
        ("BST", false), ("PST", false), ("CEST", false), ("UTC+2", false), ("Etc/GMT+2", false), ("EST", false),
        ("Europe/London", true), ("America/Los_Angeles", true), ("UTC", true), ("GMT", true),
    ])
    func onlyIANAZoneNamesAreAccepted(zone: String, accepted: Bool) {
        let text = Fixtures.policy(
            "p",
            "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 8h\n"
                + "activeHours: {days: [Mon], from: \"08:00\", to: \"20:00\", timeZone: \"\(zone)\"}")
        let file = ResourceDecoder().decode(Array(text.utf8), path: "p.yaml")
        #expect(file.errors.isEmpty == accepted, "\(file.errors)")
        if !accepted {
            #expect(
                file.errors.map(\.message) == [
                    "spec.activeHours.timeZone: \"\(zone)\" is not a time zone name like Europe/Berlin or UTC"
                ])
        }
    }
}
