import Foundation
import Testing

@testable import IPFS

/// End-to-end checks against the devnet's gateway, Kubo RPC and Pinata stand-in. They run only when
/// `CLOUDMESH_DEVNET_GATEWAY` is set (with `CLOUDMESH_DEVNET_IPFS_API`, `CLOUDMESH_DEVNET_PINATA` and
/// optionally `CLOUDMESH_DEVNET_PINATA_JWT`, default `devnet-pinata-jwt`).
@Suite(.enabled(if: DevnetEnvironment.current != nil, "set CLOUDMESH_DEVNET_GATEWAY to run against the devnet"))
struct DevnetIntegrationTests {
    let devnet = DevnetEnvironment.current ?? DevnetEnvironment(gateway: "", ipfsAPI: "", pinata: "", pinataJWT: "")
    var gateway: GatewayFetcher {
        GatewayFetcher(gateways: [devnet.gateway], maxBytes: 6 << 20, requestTimeout: .seconds(30))
    }

    /// `ipfs add` on the devnet's Kubo with a CID version; returns the Hash it reports.
    private func kuboAdd(_ bytes: [UInt8], cidVersion: Int) async throws -> String {
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
        for vector in try GoldenCIDs.load().vectors {
            let bytes = goldenContent(vector.size)
            #expect(try await kuboAdd(bytes, cidVersion: 0) == vector.v0, "v0 size \(vector.size)")
            #expect(try await kuboAdd(bytes, cidVersion: 1) == vector.v1RawLeaves, "v1 size \(vector.size)")
            let v0 = try await gateway.fetch(cid: vector.v0)
            #expect(v0 == bytes, "fetch v0 size \(vector.size)")
            let v1 = try await gateway.fetch(cid: vector.v1RawLeaves)
            #expect(v1 == bytes, "fetch v1 size \(vector.size)")
        }
    }

    @Test func kuboPublisherRoundTrip() async throws {
        let bytes = Array("print('published through Kubo')\n".utf8)
        let cid = try await KuboPublisher(apiURL: devnet.ipfsAPI).publish(bytes, name: "code.py")
        let fetched = try await gateway.fetch(cid: cid)
        #expect(fetched == bytes)
    }

    @Test func pinataPublisherRoundTripAndBadToken() async throws {
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

/// Where the devnet's IPFS services listen, from the environment.
struct DevnetEnvironment: Sendable {
    let gateway: String
    let ipfsAPI: String
    let pinata: String
    let pinataJWT: String

    static var current: DevnetEnvironment? {
        let env = ProcessInfo.processInfo.environment
        guard let gateway = env["CLOUDMESH_DEVNET_GATEWAY"], !gateway.isEmpty else { return nil }
        return DevnetEnvironment(
            gateway: gateway, ipfsAPI: env["CLOUDMESH_DEVNET_IPFS_API"] ?? "http://127.0.0.1:5001",
            pinata: env["CLOUDMESH_DEVNET_PINATA"] ?? "http://127.0.0.1:8787",
            pinataJWT: env["CLOUDMESH_DEVNET_PINATA_JWT"] ?? "devnet-pinata-jwt")
    }
}
