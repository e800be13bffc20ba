"""The bubblewrap command line the benchmarks use for sandboxed python3 (the throughput ceiling and the
reference worker): the same argument vector as the Swift worker's `Sources/Sandbox/BubblewrapCommand.swift`
(namespaces, uid 65534, no capabilities, read-only /usr and root links, size-capped tmpfs for /dev/shm,
/tmp and /job, the code copied in with `--file`, read-only root, minimal environment, `python3 -s main.py`).

Not reproduced here (the Swift SandboxRunner adds them around bwrap): rlimits, the per-job user id when
running as root, the job cgroup, and the seccomp filter (`--seccomp FD`, built with libseccomp in Swift).
`bench/results/sandbox.json` (the Sandbox module's own benchmark) puts their cost at about 0.5 ms per job
over plain bwrap; leaving them out makes the ceiling a little higher, so the worker's ratio is conservative.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Iterator

PYTHON = "/usr/bin/python3"
TMPFS_BYTES = 64 << 20
ROOT_ENTRY_CANDIDATES = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
JOB_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "USER": "sandbox",
                   "LOGNAME": "sandbox", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}


def root_entries() -> list[str]:
    """`/bin`, `/lib`, ... as on this host: links stay links, directories are bound read-only."""
    args: list[str] = []
    for path in ROOT_ENTRY_CANDIDATES:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_args(code_fd: int) -> list[str]:
    """The full argument vector; bwrap copies the code from descriptor `code_fd` to /job/main.py."""
    size = str(TMPFS_BYTES)
    args = ["bwrap", "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--uid", "65534", "--gid", "65534", "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--disable-userns", "--assert-userns-disabled",
            "--ro-bind", "/usr", "/usr", *root_entries(),
            "--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/job",
            "--file", str(code_fd), "/job/main.py", "--remount-ro", "/", "--chdir", "/job", "--clearenv"]
    for name, value in JOB_ENVIRONMENT.items():
        args += ["--setenv", name, value]
    return args + ["--", PYTHON, "-s", "main.py"]


BASE_ARGS = bwrap_args(3)  # for the results files: the vector with an example descriptor


@contextmanager
def code_descriptor(code: bytes) -> Iterator[int]:
    """A readable descriptor holding `code` (an unlinked temporary file), to pass to bwrap with pass_fds."""
    with tempfile.TemporaryFile() as f:
        f.write(code)
        f.flush()
        f.seek(0)
        yield f.fileno()
