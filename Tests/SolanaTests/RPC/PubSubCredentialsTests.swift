import Foundation
import Testing

@testable import Solana

@Suite struct PubSubCredentialsTests {
    @Test func userInfoBecomesABasicAuthorizationHeader() {
        let (url, authorization) = SolanaPubSubClient.splitCredentials("wss://alice:s%40cret@rpc.example:8900/ws?x=1")
        #expect(url == "wss://rpc.example:8900/ws?x=1")
        #expect(authorization == "Basic " + Data("alice:s@cret".utf8).base64EncodedString())
        let (userOnly, userAuthorization) = SolanaPubSubClient.splitCredentials("ws://token@127.0.0.1:8900")
        #expect(userOnly == "ws://127.0.0.1:8900")
        #expect(userAuthorization == "Basic " + Data("token:".utf8).base64EncodedString())
    }

    @Test func aURLWithoutUserInfoIsKept() {
        let (url, authorization) = SolanaPubSubClient.splitCredentials("ws://127.0.0.1:8900/?api-key=abc")
        #expect(url == "ws://127.0.0.1:8900/?api-key=abc")
        #expect(authorization == nil)
    }
}
