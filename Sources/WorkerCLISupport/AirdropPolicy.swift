import Foundation

/// Decides whether `airdrop` may ask a node for free SOL: only local test validators have a faucet the worker
/// should use; the public clusters are refused with a message saying where SOL comes from there.
public enum AirdropPolicy {
    /// Nil when `rpcURL` is a local network (loopback, a private address, a single-label or `.local`,
    /// `.localhost` or `.internal` host name); otherwise why the airdrop is refused, with what to do instead.
    public static func refusal(for rpcURL: URL) -> String? {
        let host = (rpcURL.host ?? "").lowercased().trimmingCharacters(
            in: CharacterSet(charactersIn: "[]"))
        if isLocal(host) { return nil }
        if host.contains("mainnet") {
            return "\(host) is Solana mainnet: SOL there is real money and there is no faucet; "
                + "send SOL to the worker's address from a funded wallet"
        }
        if host.contains("devnet") || host.contains("testnet") {
            let cluster = host.contains("devnet") ? "devnet" : "testnet"
            return
                "\(host) is the public Solana \(cluster): use `solana airdrop 1 <address> --url \(cluster)` "
                + "or https://faucet.solana.com, which rate-limit fairly; this command only funds local test validators"
        }
        return
            "\(host) is not a local network: airdrop only asks local test validators (localhost, private "
            + "addresses); send SOL to the worker's address instead"
    }

    /// Whether `host` names this machine or a private network.
    static func isLocal(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local")
            || host.hasSuffix(".internal")
        {
            return true
        }
        if host == "::1" || host == "0.0.0.0" || host == "::" { return true }
        if host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe80:") {
            return host.contains(":")
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        if octets.count == 4, octets.allSatisfy({ $0.map { (0...255).contains($0) } ?? false }) {
            let a = octets[0] ?? 0
            let b = octets[1] ?? 0
            return a == 127 || a == 10 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 169 && b == 254)
        }
        return !host.isEmpty && !host.contains(".") && !host.contains(":")
    }
}
