"""A greeting, served by the CloudMesh devnet's package index: release 1.0."""

__version__ = "1.0"
GREETING = "Hello from cm-greeting 1.0"
