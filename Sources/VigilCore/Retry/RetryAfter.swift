import Foundation

/// Parses the HTTP `Retry-After` header (RFC 9110 §10.2.3).
///
/// Both forms are accepted: delay-seconds (`120`) and an HTTP-date. For the date, the preferred
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms recipients must accept —
/// RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) — are parsed by
/// hand, without a locale-dependent date formatter.
public enum RetryAfter {
    /// The wait that `value` asks for, measured from `now`.
    ///
    /// - Returns: the delay (zero for a date in the past), or `nil` when the value is malformed — a
    ///   malformed header is ignored rather than trusted.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard trimmed.utf8.count <= 10, let seconds = Int64(trimmed) else { return nil }
            return .seconds(seconds)
        }
        guard let date = parseHTTPDate(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval <= 0 ? .zero : .milliseconds(Int64((interval * 1000).rounded(.up)))
    }

    /// Parses an HTTP-date in any of the three RFC 9110 forms. Always UTC.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT  → [Sun, 06, Nov, 1994, 08:49:37, GMT]
        if tokens.count == 6, tokens[5] == "GMT", let day = Int(tokens[1]), let month = month(tokens[2]),
            let year = Int(tokens[3]), tokens[3].count == 4, let time = clock(tokens[4])
        {
            return makeDate(year: year, month: month, day: day, time: time)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT → [Sunday, 06-Nov-94, 08:49:37, GMT]
        if tokens.count == 4, tokens[3] == "GMT" {
            let parts = tokens[1].split(separator: "-").map(String.init)
            if parts.count == 3, let day = Int(parts[0]), let month = month(parts[1]), let yy = Int(parts[2]),
                parts[2].count == 2, let time = clock(tokens[2])
            {
                // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
                let year = yy < 70 ? 2000 + yy : 1900 + yy
                return makeDate(year: year, month: month, day: day, time: time)
            }
        }
        // asctime: Sun Nov  6 08:49:37 1994 → [Sun, Nov, 6, 08:49:37, 1994]
        if tokens.count == 5, let month = month(tokens[1]), let day = Int(tokens[2]), let time = clock(tokens[3]),
            let year = Int(tokens[4]), tokens[4].count == 4
        {
            return makeDate(year: year, month: month, day: day, time: time)
        }
        return nil
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func month(_ token: String) -> Int? {
        months.firstIndex(of: token).map { $0 + 1 }
    }

    private static func clock(_ token: String) -> (Int, Int, Int)? {
        let parts = token.split(separator: ":")
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]),
            (0...23).contains(h), (0...59).contains(m), (0...60).contains(s)
        else { return nil }
        return (h, m, s)
    }

    private static func makeDate(year: Int, month: Int, day: Int, time: (Int, Int, Int)) -> Date? {
        guard (1...31).contains(day), year >= 1970 else { return nil }
        // Days from civil (Howard Hinnant's algorithm), avoiding Calendar for speed and determinism.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        // Reject impossible dates such as 31 Feb by checking the day fits the month.
        let daysInMonth = [
            31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31
        ][month - 1]
        guard day <= daysInMonth else { return nil }
        let seconds = days * 86_400 + time.0 * 3_600 + time.1 * 60 + time.2
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
