"""Greets someone with cm-greeting's greeting: the devnet index's package with a dependency."""

import cm_greeting

__version__ = "1.0"


def greet(name: str) -> str:
    """The greeting, addressed to `name`, saying which releases made it."""
    return f"{cm_greeting.GREETING} to {name} (cm-greeter {__version__}, cm-greeting {cm_greeting.__version__})"
