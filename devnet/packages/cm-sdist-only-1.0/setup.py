"""cm-sdist-only's build: any build of this sdist (through pyproject.toml, whose build backend is this file,
or a legacy `python setup.py ...`) runs this file first, and it leaves a marker file. The devnet writes the
marker's path in when it builds the sdist and reports it in its control API (GET /status, index.sdist_marker);
tests check that a worker installing wheels only never makes it appear."""

import pathlib

MARKER = "@MARKER@"
pathlib.Path(MARKER).write_text("cm-sdist-only's setup.py ran\n")


def _refuse(*args, **kwargs):
    raise RuntimeError("cm-sdist-only is a devnet test package: it is never meant to be built")


# PEP 517 hooks: the marker is already written when a frontend gets here.
get_requires_for_build_wheel = prepare_metadata_for_build_wheel = build_wheel = build_sdist = _refuse

if __name__ == "__main__":
    _refuse()
