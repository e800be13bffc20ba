/// Capped exponential backoff for HTTP 429 and 5xx responses, honouring `Retry-After`.
///
/// Pure value: `delay(afterAttempt:retryAfter:)` decides, the caller sleeps.
public struct RetryPolicy: Sendable, Hashable {
    /// Requests per endpoint, the first included (1 disables retries).
    public var maxAttempts: Int
    /// The wait after the first failed attempt.
    public var initialDelay: Duration
    /// The longest computed backoff.
    public var maxDelay: Duration
    /// The longest `Retry-After` worth waiting for; a server asking for more is given up on (the next
    /// gateway is tried, or the error is reported as transient).
    public var maxRetryAfter: Duration

    /// A policy; the defaults are 3 attempts, 0.5 s doubling up to 8 s, and `Retry-After` up to 30 s.
    public init(
        maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// True for the statuses worth retrying: 429 and every 5xx.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// How long to wait before attempt `attempt + 1`, or nil to stop retrying.
    /// - Parameters:
    ///   - attempt: the number of attempts made so far (1 after the first request).
    ///   - retryAfter: the server's `Retry-After`, already parsed.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        var backoff = initialDelay
        for _ in 1..<attempt where backoff < maxDelay { backoff *= 2 }
        backoff = min(backoff, maxDelay)
        guard let retryAfter else { return backoff }
        guard retryAfter <= maxRetryAfter else { return nil }
        return max(backoff, retryAfter)
    }

    /// Parses a `Retry-After` value: delay-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`)
    /// relative to `now` (seconds since 1970). Dates in the past give zero; anything else gives nil.
    public static func parseRetryAfter(_ value: String, now: Double) -> Duration? {
        let text = value.trimmed()
        if let seconds = UInt32(text) { return .seconds(Int(seconds)) }
        guard let date = HTTPDate.parse(text) else { return nil }
        return .seconds(max(0, date - Int64(now.rounded(.down))))
    }
}

/// IMF-fixdate parsing (RFC 9110 §5.6.7), the only date form servers must send.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 for `Sun, 06 Nov 1994 08:49:37 GMT`, or nil.
    static func parse(_ text: String) -> Int64? {
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
