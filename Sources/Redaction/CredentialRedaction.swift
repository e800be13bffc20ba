/// Removes credentials from URLs, alone or inside free text, before they reach a log line, an error message,
/// a configuration description or a result document.
///
/// What counts as a credential, and becomes `REDACTED`:
/// - the **userinfo** of a URL (`https://user:pass@host/`, and a user alone: `https://user@host/`); the whole
///   userinfo is replaced, so `https://REDACTED@host/` still shows that credentials were configured;
/// - the value of every **query or fragment parameter** whose name looks like a secret (see
///   ``isSecretParameterName(_:)``: `api-key`, `apikey`, `key`, `token`, `access_token`, `auth`, `secret`,
///   `password`, `jwt`, `sig`, `signature`, `X-Amz-Credential`, …); other parameters are kept as they are;
/// - the **path segment** that well-known RPC providers use for the API key (see ``ProviderPathRule``:
///   QuickNode's `https://x.solana-mainnet.quiknode.pro/<token>/`, Alchemy's `/v2/<key>`, …). Other path
///   segments are kept: they hold what logs need (CIDs, job addresses), and no heuristic can tell a key from a
///   CID.
///
/// The functions work on the text itself (no parsing into `URL` and back), so nothing else about a URL
/// changes: host, port, path, non-secret parameters and their order stay byte for byte.
public enum CredentialRedaction {
    /// What a secret is replaced with.
    public static let placeholder = "REDACTED"

    /// `text` with the credentials of every URL in it replaced by ``placeholder``.
    ///
    /// A URL is a `scheme://` (a letter, then letters, digits, `+`, `-` or `.`) followed by everything up to
    /// whitespace, a control character or one of `"'<>\`{}|\^`; trailing `.,;:!?)]` are left out of it, as
    /// sentence punctuation. Text without `://` is returned as is, cheaply.
    public static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let spans = URLSpans.find(in: bytes)
        guard !spans.isEmpty else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for span in spans {
            output.append(contentsOf: bytes[position..<span.lowerBound])
            output.append(contentsOf: RedactedURL.bytes(of: bytes[span], hasScheme: true))
            position = span.upperBound
        }
        output.append(contentsOf: bytes[position...])
        return String(decoding: output, as: UTF8.self)
    }

    /// `url` (one URL, such as a configured endpoint) with its credentials replaced by ``placeholder``.
    ///
    /// A string without `scheme://` is read as if it began with the authority, so that `user:pw@host:8899`
    /// loses its userinfo too.
    public static func redact(url: String) -> String {
        let bytes = Array(url.utf8)
        let hasScheme = URLSpans.schemeEnd(in: bytes[...]) != nil
        return String(decoding: RedactedURL.bytes(of: bytes[...], hasScheme: hasScheme), as: UTF8.self)
    }

    /// The endpoint `url` as shown to identify it: ``redact(url:)`` without userinfo, query or fragment at all
    /// (`https://user:pw@rpc.example.com/?api-key=k` is shown as `https://rpc.example.com/`).
    public static func endpoint(_ url: String) -> String {
        let bytes = Array(url.utf8)
        let hasScheme = URLSpans.schemeEnd(in: bytes[...]) != nil
        return String(
            decoding: RedactedURL.bytes(of: bytes[...], hasScheme: hasScheme, keepingQuery: false), as: UTF8.self)
    }

    /// Whether a query parameter named `name` carries a secret: its name, lowercased and with everything but
    /// letters and digits removed (`API_Key`, `api-key` and `apiKey` all become `apikey`), contains one of
    /// `key`, `token`, `secret`, `pass`, `pwd`, `auth`, `jwt`, `sig`, `cred`, `session`, `bearer`.
    ///
    /// Matching parts of names errs on the side of hiding: `keyword=` is hidden too, while `cluster=`,
    /// `commitment=`, `format=` or `filename=` are kept.
    public static func isSecretParameterName<Name: StringProtocol>(_ name: Name) -> Bool {
        SecretParameterName.matches(Array(name.utf8)[...])
    }
}
