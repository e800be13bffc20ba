import Testing

@testable import Retry

/// The shared backoff at its limits: the cap, huge attempt numbers, jitter bounds, and `Retry-After`.
@Suite struct BackoffTests {
    @Test func doublesFromTheInitialWaitUpToTheCap() {
        let backoff = Backoff(initial: .seconds(2), maximum: .seconds(60))
        #expect(backoff.delay(afterAttempt: 1, random: 0) == .seconds(2))
        #expect(backoff.delay(afterAttempt: 2, random: 0) == .seconds(4))
        #expect(backoff.delay(afterAttempt: 3, random: 0) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 6, random: 0) == .seconds(60))
        #expect(backoff.delay(afterAttempt: 40, random: 0) == .seconds(60))
        #expect(backoff.delay(afterAttempt: .max, random: 0) == .seconds(60), "no overflow, whatever the attempt")
        #expect(backoff.delay(afterAttempt: 0, random: 0) == .seconds(2), "attempts below 1 count as the first")
        #expect(backoff.delay(afterAttempt: -5, random: 0) == .seconds(2))
    }

    @Test func otherMultipliersAndAnInitialWaitAboveTheCap() {
        #expect(
            Backoff(initial: .seconds(1), maximum: .seconds(100), multiplier: 3).delay(afterAttempt: 3, random: 0)
                == .seconds(9))
        #expect(
            Backoff(initial: .seconds(1), maximum: .seconds(100), multiplier: 1).delay(afterAttempt: 9, random: 0)
                == .seconds(1))
        #expect(Backoff(initial: .seconds(5), maximum: .seconds(1)).delay(afterAttempt: 1, random: 0) == .seconds(1))
        #expect(Backoff(initial: .seconds(1), maximum: .seconds(10), multiplier: .nan).multiplier == 1)
        #expect(Backoff(initial: .seconds(-1), maximum: .seconds(-1)).delay(afterAttempt: 3, random: 0) == .zero)
    }

    @Test func jitterOnlyShortensAndStaysWithinItsFraction() {
        let backoff = Backoff(initial: .seconds(2), maximum: .seconds(60), jitter: 0.5)
        #expect(backoff.delay(afterAttempt: 3, random: 0) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 3, random: 1) == .seconds(4))
        #expect(backoff.delay(afterAttempt: 3, random: 7) == .seconds(4), "random numbers are clamped")
        #expect(backoff.delay(afterAttempt: 3, random: -1) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 3, random: .nan) == .seconds(8))
        for attempt in 1...12 {
            let wait = backoff.delay(afterAttempt: attempt)
            #expect(wait <= .seconds(60) && wait >= .seconds(1), "attempt \(attempt): \(wait)")
        }
        #expect(Backoff(initial: .seconds(1), maximum: .seconds(1), jitter: 3).jitter == 1)
    }

    @Test func retryAfterIsAFloorNeverShortened() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5)
        #expect(backoff.delay(afterAttempt: 1, random: 1, retryAfter: .seconds(30)) == .seconds(30))
        #expect(backoff.delay(afterAttempt: 1, random: 0, retryAfter: .zero) == .milliseconds(100))
        #expect(backoff.delay(afterAttempt: 9, random: 0, retryAfter: nil) == .seconds(1))
    }

    @Test func durationUnits() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.milliseconds(1500).inNanoseconds == 1_500_000_000)
        #expect(Duration.microseconds(1500).inMilliseconds() == 1)
        #expect(Duration.microseconds(1500).inMilliseconds(roundingUp: true) == 2)
        #expect(Duration.milliseconds(3).inMilliseconds(roundingUp: true) == 3)
        #expect(Duration.seconds(Int64.max).inNanoseconds == .max, "clamped, not trapped")
        #expect(Duration.seconds(Int64.max).inMilliseconds() == .max)
    }
}
