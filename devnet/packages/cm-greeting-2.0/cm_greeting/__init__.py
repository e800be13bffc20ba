"""A greeting, served by the CloudMesh devnet's package index: release 2.0."""

__version__ = "2.0"
GREETING = "Hello from cm-greeting 2.0"
