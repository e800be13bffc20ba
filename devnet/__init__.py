"""CloudMesh local devnet: Solana JSON-RPC/PubSub on LiteSVM with the CloudMesh program, and IPFS stand-ins."""

__version__ = "0.1.0"
