import Foundation
import Testing

@testable import Retry

/// `Retry-After` parsing: both of RFC 9110's forms, dates in the past, garbage, and the one-day cap.
@Suite struct RetryAfterTests {
    let epoch = Date(timeIntervalSince1970: 0)

    @Test func delaySeconds() {
        #expect(RetryAfter.parse("7", now: epoch) == .seconds(7))
        #expect(RetryAfter.parse(" 0 ", now: epoch) == .zero)
        #expect(RetryAfter.parse("-1", now: epoch) == nil)
        #expect(RetryAfter.parse("1.5", now: epoch) == nil)
        #expect(RetryAfter.parse("", now: epoch) == nil)
        #expect(RetryAfter.parse("soon", now: epoch) == nil)
        #expect(RetryAfter.parse("٣", now: epoch) == nil, "only ASCII digits")
    }

    @Test func longDelaysAreCappedAtOneDay() {
        #expect(RetryAfter.parse("86401", now: epoch) == .seconds(86_400))
        #expect(RetryAfter.parse("99999999999999999999999", now: epoch) == .seconds(86_400))
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: epoch) == .seconds(86_400))
    }

    @Test func httpDates() {
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.parse(date, now: Date(timeIntervalSince1970: 784_111_770)) == .seconds(7))
        #expect(RetryAfter.parse(date, now: Date(timeIntervalSince1970: 784_111_770.9)) == .seconds(7))
        #expect(RetryAfter.parse(date, now: Date(timeIntervalSince1970: 784_111_800)) == .zero, "in the past")
        #expect(
            RetryAfter.parse("Thu, 29 Feb 2024 00:00:00 GMT", now: Date(timeIntervalSince1970: 1_709_164_770))
                == .seconds(30))
        #expect(
            RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now: Date(timeIntervalSince1970: 1_445_412_480))
                == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: epoch) == nil, "obsolete forms are refused")
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 25:49:37 GMT", now: epoch) == nil)
        #expect(RetryAfter.parse("Sun, 06 Foo 1994 08:49:37 GMT", now: epoch) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 UTC", now: epoch) == nil)
    }
}
