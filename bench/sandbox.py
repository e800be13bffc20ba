"""The bubblewrap command line the benchmarks use for sandboxed python3 (ceiling and reference worker).

Until the Swift `Sandbox` module defines its policy, this is a plain, strict bwrap invocation: every
namespace unshared (no network), read-only /usr, fresh /proc, /dev and /tmp, dies with its parent.
When `Sources/Sandbox` lands, `SWIFT_SANDBOX_NOTE` in the results says which arguments it uses and this
file follows them (see bench/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

PYTHON = "/usr/bin/python3"

BASE_ARGS = [
    "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
    "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/tmp",
    "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
]


def sandboxed(argv: list[str], script: Optional[Path] = None) -> list[str]:
    """bwrap + argv; `script` (a host file) is bound read-only at /job/main.py and replaces its path in argv."""
    args = list(BASE_ARGS)
    if script is not None:
        args += ["--ro-bind", str(script), "/job/main.py"]
        argv = ["/job/main.py" if a == str(script) else a for a in argv]
    if argv and argv[0] == "python3":
        argv = [PYTHON, *argv[1:]]
    return args + argv
