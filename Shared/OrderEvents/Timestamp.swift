public import Foundation

/// Event timestamps: UTC, millisecond precision, written as `2026-11-18T11:12:40.125Z`.
///
/// Dates are normalised to whole milliseconds (built from an integer count, so the same instant
/// always yields the same `Date`), which makes encode → decode an exact round trip.
public enum Timestamp {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    public static func normalized(_ date: Date) -> Date { self.date(milliseconds: milliseconds(date)) }

    public static func format(_ date: Date) -> String {
        let ms = milliseconds(date)
        let seconds = ms.floorDivided(by: 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(secondsStyle)  // "…T11:12:40Z"
        return whole.dropLast() + String(format: ".%03lldZ", ms - seconds * 1000)
    }

    public static func parse(_ text: String) -> Date? {
        guard let parsed = (try? fractionalStyle.parse(text)) ?? (try? secondsStyle.parse(text)) else { return nil }
        return normalized(parsed)
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
