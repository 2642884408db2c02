import Foundation

/// When a policy's access may be active: days of the week and a time of day in a time zone
/// (`{days: [Mon-Fri], from: "08:00", to: "20:00", timeZone: Europe/Berlin}`). Outside, access is revoked; it
/// comes back inside, until the grant's own end. A window whose `to` is not after `from` runs past midnight
/// and belongs to the day it starts on.
package struct ActiveHours: Sendable, Equatable {
    /// ISO weekdays: 1 Monday ... 7 Sunday.
    package var days: Set<Int>
    /// Minutes after local midnight.
    package var from: Int
    package var to: Int
    package var timeZone: TimeZone

    package init(days: Set<Int>, from: Int, to: Int, timeZone: TimeZone) {
        self.days = days
        self.from = from
        self.to = to
        self.timeZone = timeZone
    }

    package static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    package func contains(_ date: Date) -> Bool {
        let calendar = self.calendar
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let day = ((parts.weekday ?? 1) + 5) % 7 + 1
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if from < to { return days.contains(day) && minute >= from && minute < to }
        let previous = (day + 5) % 7 + 1
        return (days.contains(day) && minute >= from) || (days.contains(previous) && minute < to)
    }

    /// The next instant after `date` at which `contains` changes, within the next eight days; nil if it never does
    /// (every day, all day).
    package func nextChange(after date: Date) -> Date? {
        let calendar = self.calendar
        let now = contains(date)
        let startOfDay = calendar.startOfDay(for: date)
        var candidates: [Date] = []
        for offset in 0...8 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: startOfDay) else { continue }
            for minutes in [from, to] {
                // Daylight-saving gaps move a missing local time to the next valid one, as clocks do.
                if let moment = calendar.date(
                    bySettingHour: minutes / 60 % 24, minute: minutes % 60, second: 0, of: day)
                {
                    candidates.append(
                        minutes == 24 * 60 ? calendar.date(byAdding: .day, value: 1, to: day) ?? moment : moment)
                }
            }
        }
        return candidates.filter { $0 > date }.sorted().first { contains($0) != now }
    }
}

extension ActiveHours {
    /// IANA zone names as the system's tzdata lists them (`Europe/London`), plus `UTC` and `GMT`. Abbreviations and
    /// offsets are refused: Foundation reads some of them as other zones (`BST` as Bangladesh, not British Summer
    /// Time), and `Etc/GMT+2` means two hours *behind* GMT.
    package static let zoneNames: Set<String> = Set(
        TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }
    ).union(["UTC", "GMT", "Etc/UTC"])
}
