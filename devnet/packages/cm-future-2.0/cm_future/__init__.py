"""A release for Python 4 only: no resolver running Python 3 may pick it."""

__version__ = "2.0"
