public import Foundation

/// Event timestamps: UTC, millisecond precision, written as `2026-11-18T11:12:40.125Z`.
///
/// Dates are normalised to whole milliseconds (built from an integer count, so the same instant
/// always yields the same `Date`), which makes encode → decode an exact round trip.
public enum Timestamp {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    public static func normalized(_ date: Date) -> Date { self.date(milliseconds: milliseconds(date)) }

    /// Written directly for the years 0000–9999 in the proleptic Gregorian calendar, as ISO 8601
    /// and `parse` count them (every event carries two dates, and the general formatter is most of
    /// an encode's time); other years through the general formatter.
    public static func format(_ date: Date) -> String {
        let ms = milliseconds(date)
        let days = ms.floorDivided(by: 86_400_000)
        let (year, month, day) = civil(days: days)
        guard (0...9999).contains(year) else { return generalFormat(milliseconds: ms) }
        let time = ms - days * 86_400_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int, then separator: Character) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            bytes.append(UInt8(ascii: separator.unicodeScalars.first!))
        }
        digits(year, 4, then: "-")
        digits(month, 2, then: "-")
        digits(day, 2, then: "T")
        digits(time / 3_600_000, 2, then: ":")
        digits(time / 60_000 % 60, 2, then: ":")
        digits(time / 1000 % 60, 2, then: ".")
        digits(time % 1000, 3, then: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Through Foundation's ISO 8601 formatter: any year (Julian before the Gregorian reform of
    /// 1582, so it differs from the direct one there).
    static func generalFormat(milliseconds ms: Int64) -> String {
        let seconds = ms.floorDivided(by: 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(secondsStyle)  // "…T11:12:40Z"
        let fraction = String(ms - seconds * 1000)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01 (H. Hinnant's
    /// civil_from_days, the inverse of the days_from_civil below).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func parse(_ text: String) -> Date? {
        if let milliseconds = canonicalMilliseconds(text) { return date(milliseconds: milliseconds) }
        guard let parsed = (try? fractionalStyle.parse(text)) ?? (try? secondsStyle.parse(text)) else { return nil }
        return normalized(parsed)
    }

    /// The two shapes this system writes — `2026-11-18T11:12:40.125Z` and `2026-11-18T11:12:40Z` —
    /// read directly (every event carries two dates, and the general ISO 8601 parser is most of a
    /// decode's time). Anything else, including an impossible date, goes to the general parser.
    static func canonicalMilliseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { bytes -> Int64? in
            guard bytes.count == 24 || bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[bytes.count - 1] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in from..<(from + count) {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2),
                let second = number(17, 2)
            else { return nil }
            var fraction: Int64 = 0
            if bytes.count == 24 {
                guard bytes[19] == UInt8(ascii: "."), let parsed = number(20, 3) else { return nil }
                fraction = parsed
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...12).contains(month), day >= 1, day <= monthDays[Int(month) - 1], hour < 24, minute < 60, second < 60 else {
                return nil
            }
            // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + fraction
        }
    }

    private static let secondsStyle = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractionalStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
