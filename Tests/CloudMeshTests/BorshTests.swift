import CloudMesh
import GoldenVectorSupport
import Solana
import Testing

@Suite struct BorshTests {
    @Test func writesLittleEndianAndLengthPrefixedStrings() {
        var writer = BorshWriter()
        writer.writeInteger(UInt32(0x0102_0304))
        writer.writeInteger(Int64(-2))
        writer.writeString("é")
        writer.writeBool(true)
        writer.writeEnum(JobStatus.cancelled)
        #expect(
            writer.bytes == [4, 3, 2, 1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0xc3, 0xa9, 1, 2])
    }

    @Test func randomValuesRoundTrip() throws {
        var generator = GoldenVectors.SeededGenerator(state: 42)
        for _ in 0..<500 {
            let u8 = UInt8.random(in: 0...255, using: &generator)
            let u32 = UInt32.random(in: 0 ... .max, using: &generator)
            let u64 = UInt64.random(in: 0 ... .max, using: &generator)
            let i64 = Int64.random(in: .min ... .max, using: &generator)
            let flag = Bool.random(using: &generator)
            let text = CloudMeshGolden.randomText(maxBytes: 200, using: &generator)
            let key = try PublicKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            var writer = BorshWriter()
            writer.writeInteger(u8)
            writer.writeInteger(u32)
            writer.writeInteger(u64)
            writer.writeInteger(i64)
            writer.writeBool(flag)
            writer.writeString(text)
            writer.writePublicKey(key)
            var reader = BorshReader(writer.bytes)
            #expect(try reader.readU8(field: "u8") == u8)
            #expect(try reader.readU32(field: "u32") == u32)
            #expect(try reader.readU64(field: "u64") == u64)
            #expect(try reader.readI64(field: "i64") == i64)
            #expect(try reader.readBool(field: "bool") == flag)
            #expect(try reader.readString(field: "string") == text)
            #expect(try reader.readPublicKey(field: "key") == key)
            #expect(reader.remaining == 0)
        }
    }

    @Test func everyMalformedInputIsANamedError() {
        var reader = BorshReader([1, 2])
        #expect(throws: BorshError.truncated(field: "n", offset: 0, needed: 4, available: 2)) {
            try reader.readU32(field: "n")
        }
        reader = BorshReader([5, 0, 0, 0, 97])
        #expect(throws: BorshError.stringLengthPastEnd(field: "s", offset: 0, length: 5, available: 1)) {
            try reader.readString(field: "s")
        }
        reader = BorshReader([2, 0, 0, 0, 0xc3, 0x28])
        #expect(throws: BorshError.invalidUTF8(field: "s", offset: 0)) { try reader.readString(field: "s") }
        reader = BorshReader([2])
        #expect(throws: BorshError.invalidBool(field: "b", offset: 0, value: 2)) { try reader.readBool(field: "b") }
        reader = BorshReader([7])
        #expect(throws: BorshError.unknownEnumVariant(field: "e", offset: 0, value: 7)) {
            try reader.readEnum(JobType.self, field: "e")
        }
        #expect(
            BorshError.stringLengthPastEnd(field: "title", offset: 40, length: 9, available: 2).description
                == "string title at byte 40 claims 9 bytes but only 2 remain")
    }
}
