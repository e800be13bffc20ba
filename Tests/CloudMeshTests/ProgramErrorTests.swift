import CloudMesh
import Solana
import Testing

@Suite struct ProgramErrorTests {
    @Test func tableHasEveryCodeNameAndMessage() {
        let expected: [(UInt32, String, String)] = [
            (101, "InstructionFallbackNotFound", "Fallback functions are not supported"),
            (2006, "ConstraintSeeds", "A seeds constraint was violated"),
            (3001, "AccountDiscriminatorNotFound", "No 8 byte discriminator was found on the account"),
            (3002, "AccountDiscriminatorMismatch", "8 byte discriminator did not match what was expected"),
            (3004, "AccountDidNotSerialize", "Failed to serialize the account"),
            (3007, "AccountOwnedByWrongProgram", "The given account is owned by a different program than expected"),
            (3010, "AccountNotSigner", "The given account did not sign"),
            (3012, "AccountNotInitialized", "The program expected this account to be already initialized"),
            (6000, "InvalidTitle", "Title must be between 1 and 100 characters"),
            (6001, "InvalidCID", "CID must be between 1 and 100 characters"),
            (6002, "InvalidCost", "Cost must be greater than 0"),
            (6003, "JobAlreadyCompleted", "Job is already completed"),
            (6004, "JobCancelled", "Job has been cancelled"),
            (6005, "JobAlreadyCancelled", "Job is already cancelled"),
            (6006, "InvalidStatusTransition", "Invalid status transition"),
            (6007, "AlreadyPaid", "Payment already marked as paid"),
            (6008, "Unauthorized", "Unauthorized: Only owner can perform this action"),
        ]
        #expect(CloudMeshProgramError.allCases.count == expected.count)
        for (code, name, message) in expected {
            let error = CloudMeshProgramError(code: code)
            #expect(error?.code == code && error?.name == name && error?.message == message)
            #expect(error?.isFrameworkError == (code < 6000))
        }
        #expect(CloudMeshProgramError(code: 6009) == nil)
        #expect(
            CloudMeshProgramError.jobAlreadyCompleted.description
                == "JobAlreadyCompleted (6003): Job is already completed")
    }

    @Test func parsesAnchorErrorLines() throws {
        let logs = [
            "Program 2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S invoke [1]",
            "Program log: Instruction: CompleteJob",
            "Program log: AnchorError thrown in programs/cloudmesh/src/lib.rs:61. Error Code: JobAlreadyCompleted. Error Number: 6003. Error Message: Job is already completed.",
            "Program 2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S consumed 5123 of 200000 compute units",
            "Program 2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S failed: custom program error: 0x1773",
        ]
        let error = try #require(AnchorError.parse(logs: logs))
        #expect(
            error.code == 6003 && error.name == "JobAlreadyCompleted" && error.message == "Job is already completed")
        #expect(error.known == .jobAlreadyCompleted)
        #expect(error.programId == CloudMeshProgram.defaultProgramId)
        #expect(error.description == "JobAlreadyCompleted (6003): Job is already completed")
    }

    @Test func parsesAccountCausedAndOccurredForms() throws {
        let caused = try #require(
            AnchorError.parse(
                logLine:
                    "Program log: AnchorError caused by account: job. Error Code: AccountNotInitialized. Error Number: 3012. Error Message: The program expected this account to be already initialized."
            ))
        #expect(
            caused.known == .accountNotInitialized
                && caused.message == "The program expected this account to be already initialized")
        let occurred = try #require(
            AnchorError.parse(
                logLine:
                    "Program log: AnchorError occurred. Error Code: InstructionFallbackNotFound. Error Number: 101. Error Message: Fallback functions are not supported."
            ))
        #expect(occurred.code == 101 && occurred.name == "InstructionFallbackNotFound")
    }

    @Test func parsesFailedLinesAlone() throws {
        let error = try #require(
            AnchorError.parse(logs: [
                "Program 2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S failed: custom program error: 0xbbc"
            ]))
        #expect(error.code == 3004 && error.known == .accountDidNotSerialize && error.name == "AccountDidNotSerialize")
        #expect(error.programId == CloudMeshProgram.defaultProgramId)
        let unknown = try #require(
            AnchorError.parse(logLine: "Program 11111111111111111111111111111111 failed: custom program error: 0x1"))
        #expect(unknown.known == nil && unknown.name == "Unknown" && unknown.message == "custom program error: 0x1")
        #expect(unknown.programId == .systemProgram)
    }

    @Test func ignoresUnrelatedAndMalformedLines() {
        #expect(AnchorError.parse(logs: []) == nil)
        #expect(AnchorError.parse(logs: ["Program log: Instruction: CompleteJob", "Program X success"]) == nil)
        #expect(
            AnchorError.parse(
                logLine: "Program log: AnchorError occurred. Error Code: X. Error Number: nope. Error Message: m.")
                == nil)
        #expect(AnchorError.parse(logLine: "Program abc failed: custom program error: 0xZZ") == nil)
        #expect(AnchorError.parse(logLine: "Program log: Error Code: X. Error Number: 1. Error Message: m.") == nil)
    }

    @Test func codeFromTransactionStatusNamesTheError() {
        // The worker turns {"InstructionError":[i,{"Custom":6004}]} into this.
        let error = AnchorError(code: 6004)
        #expect(error.known == .jobCancelled && error.message == "Job has been cancelled")
    }
}
