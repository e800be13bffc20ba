import Testing

@testable import IPFS

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(
        maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .milliseconds(350), maxRetryAfter: .seconds(10))

    @Test func backsOffExponentiallyWithACap() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil) == .milliseconds(350))
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil) == .milliseconds(350))
        #expect(policy.delay(afterAttempt: 5, retryAfter: nil) == nil)
        #expect(RetryPolicy.none.delay(afterAttempt: 1, retryAfter: nil) == nil)
    }

    @Test func honoursRetryAfter() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .zero) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(11)) == nil)  // too long: give up here
    }

    @Test func classifiesStatuses() {
        #expect(RetryPolicy.isRetryable(status: 429))
        #expect(RetryPolicy.isRetryable(status: 503))
        #expect(!RetryPolicy.isRetryable(status: 404))
        #expect(!RetryPolicy.isRetryable(status: 401))
    }
}
