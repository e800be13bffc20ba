import DevnetSupport
import Foundation
import Testing

@testable import IPFS

/// End-to-end checks against the devnet's gateway, Kubo RPC and Pinata stand-in (one devnet for the suite).
@Suite struct DevnetIntegrationTests {
    private func devnet() async throws -> DevnetEnvironment {
        let devnet = try await Devnet.shared()
        return DevnetEnvironment(
            gateway: devnet.endpoints.gatewayURL, ipfsAPI: devnet.endpoints.ipfsAPIURL,
            pinata: devnet.endpoints.pinataURL, pinataJWT: devnet.pinataJWT)
    }

    private func gateway(_ devnet: DevnetEnvironment) -> GatewayFetcher {
        GatewayFetcher(gateways: [devnet.gateway], maxBytes: 6 << 20, requestTimeout: .seconds(30))
    }
    /// `ipfs add` on the devnet's Kubo with a CID version; returns the Hash it reports.
    private func kuboAdd(_ bytes: [UInt8], cidVersion: Int, devnet: DevnetEnvironment) async throws -> String {
        let http = PublishingHTTP(
            service: "Kubo", client: .shared, timeout: .seconds(30), retry: .none,
            sleep: { try await Task.sleep(for: $0) },
            secrets: [])
        var form = MultipartForm()
        form.append(name: "file", filename: "vector.bin", contentType: "application/octet-stream", data: bytes)
        let body = try await http.post(
            url: "\(devnet.ipfsAPI)/api/v0/add?pin=true&cid-version=\(cidVersion)", headers: [], form: form)
        struct Entry: Decodable {
            let hash: String
            enum CodingKeys: String, CodingKey { case hash = "Hash" }
        }
        let line = try #require(body.split(separator: UInt8(ascii: "\n")).last)
        return try JSONDecoder().decode(Entry.self, from: Data(line)).hash
    }

    @Test func kuboAgreesWithTheGoldenVectorsAndTheGatewayServesThemVerified() async throws {
        let devnet = try await devnet()
        let gateway = gateway(devnet)
        for vector in try GoldenCIDs.load().vectors {
            let bytes = goldenContent(vector.size)
            #expect(try await kuboAdd(bytes, cidVersion: 0, devnet: devnet) == vector.v0, "v0 size \(vector.size)")
            #expect(try await kuboAdd(bytes, cidVersion: 1, devnet: devnet) == vector.v1RawLeaves, "v1 size \(vector.size)")
            let v0 = try await gateway.fetch(cid: vector.v0)
            #expect(v0 == bytes, "fetch v0 size \(vector.size)")
            let v1 = try await gateway.fetch(cid: vector.v1RawLeaves)
            #expect(v1 == bytes, "fetch v1 size \(vector.size)")
        }
    }

    @Test func kuboPublisherRoundTrip() async throws {
        let devnet = try await devnet()
        let gateway = gateway(devnet)
        let bytes = Array("print('published through Kubo')\n".utf8)
        let cid = try await KuboPublisher(apiURL: devnet.ipfsAPI).publish(bytes, name: "code.py")
        let fetched = try await gateway.fetch(cid: cid)
        #expect(fetched == bytes)
    }

    @Test func pinataPublisherRoundTripAndBadToken() async throws {
        let devnet = try await devnet()
        let gateway = gateway(devnet)
        let document = Array(
            #"{"stdout":"42\n","stderr":"","returncode":0,"executed_at":"2025-10-28T10:30:00.123456+00:00"}"#.utf8)
        let name = PinataPublisher.resultName(jobAddress: "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU")
        let cid = try await PinataPublisher(jwt: devnet.pinataJWT, apiURL: devnet.pinata).publish(document, name: name)
        #expect(cid.version == .v0)
        let fetched = try await gateway.fetch(cid: cid)
        #expect(fetched == document)
        let error = await #expect(throws: PublishError.self) {
            try await PinataPublisher(jwt: "wrong-token", apiURL: devnet.pinata).publish(document, name: name)
        }
        #expect(error?.isPermanent == true)
        #expect(error.map { "\($0)" }?.contains("wrong-token") == false)
    }
}

/// Where the devnet's IPFS services listen.
struct DevnetEnvironment: Sendable {
    let gateway: String
    let ipfsAPI: String
    let pinata: String
    let pinataJWT: String
}
