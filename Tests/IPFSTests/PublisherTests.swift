import Foundation
import GoldenVectorSupport
import NIOCore
import Testing

@testable import IPFS

@Suite struct PublisherTests {
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.secret-payload.signature"
    static let result = Array(
        #"{"stdout":"hi\n","stderr":"","returncode":0,"executed_at":"2025-10-28T10:30:00.123456+00:00"}"#.utf8)
    static let jobName = PinataPublisher.resultName(jobAddress: "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU")

    /// The parts of a multipart body: name → (filename, bytes).
    static func parts(of request: SeenRequest) -> [String: (filename: String?, data: [UInt8])] {
        guard let type = request.header("content-type"), let range = type.range(of: "boundary=") else { return [:] }
        let boundary = Array(("--" + type[range.upperBound...]).utf8)
        var parts: [String: (filename: String?, data: [UInt8])] = [:]
        var sections: [[UInt8]] = []
        var start = 0
        var index = 0
        let body = request.body
        while index + boundary.count <= body.count {
            if Array(body[index..<index + boundary.count]) == boundary {
                if index > start { sections.append(Array(body[start..<index])) }
                index += boundary.count
                start = index
            } else {
                index += 1
            }
        }
        for section in sections {
            let text = String(decoding: section, as: UTF8.self)
            guard let split = text.range(of: "\r\n\r\n"), let nameRange = text.range(of: "name=\"") else { continue }
            let name = String(text[nameRange.upperBound...].prefix { $0 != "\"" })
            let filename = text.range(of: "filename=\"").map { String(text[$0.upperBound...].prefix { $0 != "\"" }) }
            let headerLength = text[..<split.upperBound].utf8.count
            parts[name] = (filename, Array(section[headerLength..<(section.count - 2)]))
        }
        return parts
    }

    private func pinata(_ base: String, retry: RetryPolicy = .none, sleep: SleepRecorder = SleepRecorder())
        -> PinataPublisher
    {
        PinataPublisher(jwt: Self.jwt, apiURL: base + "/", timeout: .seconds(10), retry: retry, sleep: sleep.sleep)
    }

    @Test func pinataHappyPath() async throws {
        let golden = try GoldenCIDs.load().vector(size: 1024)
        try await withFakeServer({ request in
            #expect(request.method == "POST")
            #expect(request.path == "/pinning/pinFileToIPFS")
            #expect(request.header("authorization") == "Bearer \(Self.jwt)")
            let parts = Self.parts(of: request)
            #expect(parts["file"]?.filename == Self.jobName)
            #expect(parts["file"]?.data == goldenContent(1024))
            #expect(
                parts["pinataMetadata"].map { String(decoding: $0.data, as: UTF8.self) }
                    == #"{"name":"\#(Self.jobName)"}"#)
            #expect(parts["pinataOptions"].map { String(decoding: $0.data, as: UTF8.self) } == #"{"cidVersion":0}"#)
            let answer = #"{"IpfsHash":"\#(golden.v0)","PinSize":1035,"Timestamp":"2025-01-01T00:00:00Z"}"#
            return .ok(Array(answer.utf8), contentType: "application/json")
        }) { base, _ in
            let cid = try await pinata(base).publish(goldenContent(1024), name: Self.jobName)
            #expect(cid.description == golden.v0)
        }
    }

    @Test func pinata401IsAPermanentConfigurationErrorWithoutTheJWT() async throws {
        try await withFakeServer({ request in
            // A hostile or buggy service echoing the token must not leak it into our errors.
            let echoed = request.header("authorization") ?? ""
            return .status(401, #"{"error":{"reason":"INVALID_CREDENTIALS","details":"bad token \#(echoed)"}}"#)
        }) { base, _ in
            let error = await #expect(throws: PublishError.self) {
                try await pinata(base).publish(Self.result, name: Self.jobName)
            }
            guard case .unauthorized("Pinata", 401, let message) = error else {
                Issue.record("expected unauthorized, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix("INVALID_CREDENTIALS: bad token Bearer <redacted>"))
            #expect(error?.isPermanent == true)
            let text = "\(String(describing: error)) \(String(reflecting: error))"
            #expect(!text.contains("secret-payload"))
            #expect(text.contains("HTTP 401"))
        }
    }

    @Test func pinataCIDMismatchFailsLoudly() async throws {
        try await withFakeServer({ _ in
            .ok(
                Array(#"{"IpfsHash":"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"}"#.utf8),
                contentType: "application/json")
        }) { base, _ in
            let error = await #expect(throws: PublishError.self) {
                try await pinata(base).publish(Self.result, name: Self.jobName)
            }
            let expected = UnixFSFileBuilder(layout: .v0).cid(of: Self.result)
            #expect(
                error
                    == .cidMismatch(
                        service: "Pinata", expected: expected,
                        returned: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"))
            #expect(error?.isPermanent == true)
        }
    }

    @Test func pinataRetries429ThenSucceeds() async throws {
        let expected = UnixFSFileBuilder(layout: .v0).cid(of: Self.result)
        let counter = RequestLog()
        try await withFakeServer({ request in
            await counter.append(request)
            if await counter.requests.count == 1 { return .status(429, "rate limited", headers: ["Retry-After": "1"]) }
            return .ok(Array(#"{"IpfsHash":"\#(expected)"}"#.utf8), contentType: "application/json")
        }) { base, _ in
            let sleep = SleepRecorder()
            let publisher = pinata(base, retry: RetryPolicy(maxAttempts: 2), sleep: sleep)
            let cid = try await publisher.publish(Self.result, name: Self.jobName)
            #expect(cid == expected)
            #expect(await sleep.delays == [.seconds(1)])
        }
        try await withFakeServer({ _ in .status(503, "maintenance") }) { base, _ in
            let error = await #expect(throws: PublishError.self) {
                try await pinata(base).publish(Self.result, name: Self.jobName)
            }
            #expect(error == .httpStatus(service: "Pinata", status: 503, message: "maintenance"))
            #expect(error?.isTransient == true)
        }
    }

    @Test func multipartBoundariesFitRFC2046() {
        for _ in 0..<20 {
            let form = MultipartForm()
            #expect(form.boundary.count <= 70)
            #expect(form.boundary.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" })
        }
        var form = MultipartForm()
        form.append(name: "file", filename: "a\"b\r\n.json", contentType: "application/json", data: [0x7B, 0x7D])
        let text = String(buffer: form.finishedBuffer())
        #expect(text.contains(#"filename="a_b__.json""#))
        #expect(text.hasSuffix("--\(form.boundary)--\r\n"))
    }

    @Test func descriptionsNeverShowTheJWT() {
        let publisher = PinataPublisher(jwt: Self.jwt, apiURL: "https://api.pinata.cloud")
        var dumped = ""
        dump(publisher, to: &dumped)
        for text in ["\(publisher)", String(reflecting: publisher), dumped] {
            #expect(!text.contains("secret-payload"), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test func kuboHappyPathAndErrors() async throws {
        let golden = try GoldenCIDs.load().vector(size: 262_145)
        try await withFakeServer({ request in
            guard request.path == "/api/v0/add" else { return .status(404) }
            if request.header("authorization") == "Basic bad" {
                return .status(500, #"{"Message":"pin: context canceled","Code":0,"Type":"error"}"#)
            }
            #expect(request.query.contains("pin=true"))
            #expect(request.query.contains("cid-version=0"))
            // Whatever was uploaded, this node claims the golden CID (so the second upload is a mismatch).
            let lines = #"{"Name":"out.json","Hash":"\#(golden.v0)","Size":"262172"}"# + "\n"
            return .ok(Array(lines.utf8), contentType: "application/json")
        }) { base, log in
            let kubo = KuboPublisher(apiURL: base, timeout: .seconds(10), retry: .none)
            let cid = try await kubo.publish(goldenContent(262_145), name: "out.json")
            #expect(cid.description == golden.v0)
            let uploaded = await log.requests.first.flatMap { Self.parts(of: $0)["file"] }
            #expect(uploaded?.filename == "out.json")
            #expect(uploaded.map { GoldenVectors.hex(Multihash.sha256(of: $0.data).digest) } == golden.sha256)
            let mismatch = await #expect(throws: PublishError.self) { try await kubo.publish([1, 2, 3], name: "x") }
            guard case .cidMismatch("Kubo", _, golden.v0) = mismatch else {
                Issue.record("expected a mismatch, got \(String(describing: mismatch))")
                return
            }
            let failing = KuboPublisher(apiURL: base, authorization: "Basic bad", timeout: .seconds(10), retry: .none)
            let error = await #expect(throws: PublishError.self) { try await failing.publish([1], name: "x") }
            #expect(error == .httpStatus(service: "Kubo", status: 500, message: "pin: context canceled"))
            #expect(error?.isTransient == true)
            #expect(!"\(failing)".contains("Basic bad"))
        }
    }
}
