import Foundation

/// The HTTP `Retry-After` header (RFC 9110 §10.2.3): the one parser of every client.
///
/// What a long `Retry-After` means is each layer's policy, documented where it is applied: the RPC client
/// waits at most its `maxRetryAfter` (a longer request is cut to it), while a gateway asking for longer than
/// its `maxRetryAfter` is given up on and the next gateway is tried.
public enum RetryAfter {
    /// Parses a header value: delay-seconds (`120`) or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
    /// relative to `now`. A date in the past gives zero; anything else (negative numbers, other date forms,
    /// garbage) gives nil. Delays are capped at one day, so that arithmetic on them never overflows.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return .seconds(Int64(text).map { min($0, maximumSeconds) } ?? maximumSeconds)
        }
        guard let date = IMFFixdate.secondsSince1970(text) else { return nil }
        let seconds = max(0, date - Int64(now.timeIntervalSince1970.rounded(.down)))
        return .seconds(min(seconds, maximumSeconds))
    }

    /// The longest delay ``parse(_:now:)`` returns: one day.
    public static let maximumSeconds: Int64 = 86_400
}

/// IMF-fixdate parsing (RFC 9110 §5.6.7), the only date form servers must send.
enum IMFFixdate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 for `Sun, 06 Nov 1994 08:49:37 GMT`, or nil.
    static func secondsSince1970(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int64(parts[1]), (1...31).contains(day),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int64(parts[3]), (1970...9999).contains(year)
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3, (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        let days = daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day)
        return days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
