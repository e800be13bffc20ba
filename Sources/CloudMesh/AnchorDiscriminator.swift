import Crypto

/// Anchor's 8-byte type tags: the first 8 bytes of sha256("<namespace>:<name>").
public enum AnchorDiscriminator {
    /// The discriminator of `name` in `namespace` ("account", "global" for instructions, "event").
    public static func make(namespace: String, name: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("\(namespace):\(name)".utf8)).prefix(8))
    }

    /// The discriminator that starts an account of type `name`: sha256("account:<name>")[0..8].
    public static func account(_ name: String) -> [UInt8] { make(namespace: "account", name: name) }

    /// The discriminator that starts the data of instruction `name`: sha256("global:<name>")[0..8].
    public static func instruction(_ name: String) -> [UInt8] { make(namespace: "global", name: name) }

    /// The discriminator that starts an event `name`: sha256("event:<name>")[0..8].
    public static func event(_ name: String) -> [UInt8] { make(namespace: "event", name: name) }
}
