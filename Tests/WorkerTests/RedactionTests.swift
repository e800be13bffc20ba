import Foundation
import Redaction
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// `CredentialRedaction` and the places it is applied outside the log handlers: the configuration's
/// description, the Solana clients' display URLs, the result document of a job that could not run.
@Suite struct RedactionTests {
    static let credentialed = "https://user:hunter2@rpc.example/?api-key=SECRET123&cluster=main"

    @Test func userInfoAndSecretParametersAreReplaced() {
        #expect(
            CredentialRedaction.redact(url: Self.credentialed)
                == "https://REDACTED@rpc.example/?api-key=REDACTED&cluster=main")
        #expect(CredentialRedaction.redact(url: "https://alice@host:8899/x") == "https://REDACTED@host:8899/x")
        #expect(CredentialRedaction.redact(url: "wss://u:p@[::1]:8900/") == "wss://REDACTED@[::1]:8900/")
        #expect(CredentialRedaction.redact(url: "http://host/?a=1&b=&c") == "http://host/?a=1&b=&c")
        #expect(
            CredentialRedaction.redact(url: "https://h/p?access_token=t1&Api_Key=t2&apiKey=t3&key=t4&jwt=t5#sig=t6")
                == "https://h/p?access_token=REDACTED&Api_Key=REDACTED&apiKey=REDACTED&key=REDACTED&jwt=REDACTED"
                + "#sig=REDACTED")
        #expect(
            CredentialRedaction.redact(url: "https://s3.example/b?X-Amz-Credential=c&X-Amz-Signature=s&x=1")
                == "https://s3.example/b?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=1")
        // Without a scheme, the string is read from its authority.
        #expect(CredentialRedaction.redact(url: "user:pw@host:8899/?token=t") == "REDACTED@host:8899/?token=REDACTED")
        #expect(CredentialRedaction.redact(url: "http://localhost:8899") == "http://localhost:8899")
    }

    @Test func secretParameterNames() {
        for name in [
            "api-key", "api_key", "apikey", "APIKEY", "key", "token", "access_token", "auth", "Authorization",
            "secret", "client_secret", "password", "passwd", "jwt", "sig", "signature", "pinataGatewayToken",
            "dkey", "api%2Dkey",
        ] {
            #expect(CredentialRedaction.isSecretParameterName(name), "\(name)")
        }
        for name in ["cluster", "commitment", "format", "filename", "dag-scope", "encoding", "network", "x"] {
            #expect(!CredentialRedaction.isSecretParameterName(name), "\(name)")
        }
    }

    @Test func providersKeySegmentsAreReplacedOtherPathsKept() {
        #expect(
            CredentialRedaction.redact(url: "https://x.solana-mainnet.quiknode.pro/0123abcd4567ef/")
                == "https://x.solana-mainnet.quiknode.pro/REDACTED/")
        #expect(
            CredentialRedaction.redact(url: "wss://solana-mainnet.g.alchemy.com/v2/alchemyKey")
                == "wss://solana-mainnet.g.alchemy.com/v2/REDACTED")
        #expect(
            CredentialRedaction.redact(url: "https://rpc.ankr.com/solana/ankrKey")
                == "https://rpc.ankr.com/solana/REDACTED")
        #expect(CredentialRedaction.redact(url: "https://rpc.ankr.com/solana") == "https://rpc.ankr.com/solana")
        // A CID in a gateway path is what the logs need: never touched.
        let gateway = "https://gateway.example/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
        #expect(CredentialRedaction.redact(url: gateway) == gateway)
        // `notquiknode.pro` is not QuickNode.
        #expect(CredentialRedaction.redact(url: "https://notquiknode.pro/abc/") == "https://notquiknode.pro/abc/")
    }

    @Test func everyURLInFreeTextIsRedacted() {
        let text =
            "gateway https://u:p@gw.example/ipfs/QmX?pinataGatewayToken=tok1&filename=a failed (HTTP 500); "
            + "then \"ws://bob@127.0.0.1:8900/?token=tok2\", and https://h/?sig=tok3."
        #expect(
            CredentialRedaction.redact(text)
                == "gateway https://REDACTED@gw.example/ipfs/QmX?pinataGatewayToken=REDACTED&filename=a failed "
                + "(HTTP 500); then \"ws://REDACTED@127.0.0.1:8900/?token=REDACTED\", and https://h/?sig=REDACTED.")
        #expect(CredentialRedaction.redact("no URL: user:pw and key=value") == "no URL: user:pw and key=value")
        #expect(
            CredentialRedaction.redact("é https://ü:pé@hé/?Api_Key=1 日本")
                == "é https://REDACTED@hé/?Api_Key=REDACTED 日本")
        #expect(CredentialRedaction.redact("") == "")
    }

    @Test func configurationDescriptionHidesCredentials() throws {
        let configuration = try WorkerConfiguration.load(
            .init(
                flags: [:],
                environment: [
                    "SOLANA_RPC_URL": Self.credentialed,
                    "IPFS_GATEWAY_URL": "https://gw:gwpass@gw.example/?token=GWTOKEN,https://open.example",
                    "IPFS_API_URL": "http://kubo:kubopass@127.0.0.1:5001",
                    "PINATA_JWT": "pinata-jwt-value",
                ],
                dotEnv: [:]),
            processorCount: 2)
        let description = configuration.description
        for secret in ["hunter2", "SECRET123", "gwpass", "GWTOKEN", "kubopass", "pinata-jwt-value", "user:"] {
            #expect(!description.contains(secret), "\(secret) in \(description)")
        }
        #expect(description.contains("SOLANA_RPC_URL=https://REDACTED@rpc.example/?api-key=REDACTED&cluster=main"))
        // The PubSub URL is derived from the RPC URL, credentials and all: it is redacted the same way.
        #expect(description.contains("SOLANA_WS_URL=wss://REDACTED@rpc.example"))
        #expect(
            description.contains("IPFS_GATEWAY_URL=https://REDACTED@gw.example/?token=REDACTED,https://open.example"))
        #expect(description.contains("IPFS_API_URL=http://REDACTED@127.0.0.1:5001"))
        #expect(description.contains("PINATA_JWT=<set, redacted>"))
    }

    @Test func solanaClientsDisplayURLs() async throws {
        let rpc = try SolanaRPCClient(endpoint: Self.credentialed)
        #expect(rpc.displayURL == "https://rpc.example/")
        let quickNode = try SolanaRPCClient(endpoint: "https://x.solana-mainnet.quiknode.pro/0123abcd4567ef/")
        #expect(quickNode.displayURL == "https://x.solana-mainnet.quiknode.pro/REDACTED/")
        let pubSub = try SolanaPubSubClient(
            configuration: .init(url: "wss://user:hunter2@rpc.example:8900/?api-key=SECRET123"))
        #expect(await pubSub.displayURL == "wss://rpc.example:8900/")
    }

    @Test func resultDocumentOfAnUnrunnableJobHidesCredentials() {
        let document = ResultDocument(
            invalidInput: "content failed verification at every gateway (https://u:hunter2@gw.example/ipfs/QmX?"
                + "token=SECRET123: content rejected)",
            at: Date(timeIntervalSince1970: 0), job: TestJobs.job(1, title: "t", codeCID: "QmX"),
            worker: TestJobs.key(9))
        let text = String(decoding: document.bytes, as: UTF8.self)
        #expect(!text.contains("hunter2") && !text.contains("SECRET123"))
        #expect(
            document.error == "content failed verification at every gateway "
                + "(https://REDACTED@gw.example/ipfs/QmX?token=REDACTED: content rejected)")
    }
}
