import Testing

@testable import Sandbox

@Test func smoke() async throws {
    let outcome = try await TestSupport.run("import os,sys\nprint('hello', os.getuid(), os.getpid(), os.getcwd())\nprint('err', file=sys.stderr)\n")
    print(outcome, outcome.stdout, outcome.stderr)
    #expect(outcome.returncode == 0)
}
