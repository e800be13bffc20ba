"""The release of cm-future that today's Pythons can use."""

__version__ = "1.0"
