import ArgumentParser

/// `address`: prints the keypair's address.
struct AddressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Print the address (public key) of the keypair.",
        discussion: """
            The address to fund and to look for in job results (the `worker` field). It reads the keypair \
            file only; no network access.

            Example:
              cloudmesh-worker address --keypair ./worker-keypair.json
            """)

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let context = try CommandContext.load(options)
        print(try context.keypair().publicKey.base58)
    }
}
