#!/usr/bin/env python3
"""Produce the PEP 440 golden vectors for the Swift Dependencies tests (Tests/DependenciesTests/Golden/pep440.json).

The oracle is the PyPI `packaging` package (pinned in requirements.txt), the reference implementation pip
uses. The file holds:

* versions: every string in VERSIONS, whether `Version` accepts it and its normalized form;
* comparisons: every ordered pair of the valid versions in ORDERED, with the sign of their comparison;
* specifiers: every string in SPECIFIERS, whether `SpecifierSet` accepts it;
* contains: every valid specifier set against every candidate in CANDIDATES, with
  `SpecifierSet(spec).contains(candidate, prereleases=True)` (the worker checks the interpreter's own
  version, which is a release; pre-releases are included so that the `<`/`>` pre- and post-release rules
  are covered too).

Usage: $GOLDEN_VENV/bin/python scripts/golden-deps/make_pep440_vectors.py [output.json]
"""

import json
import sys
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

VERSIONS = [
    "1", "1.0", "1.0.0", "v1.0", "V1.0", " 1.0 ", "1!2.0", "01.02", "1.0a", "1.0a1", "1.0.a.1", "1.0-alpha-2",
    "1.0b2", "1.0beta3", "1.0c1", "1.0pre1", "1.0preview2", "1.0rc1", "1.0RC1", "1.0.post1", "1.0post",
    "1.0-1", "1.0-r1", "1.0rev2", "1.0.dev0", "1.0dev", "1.0-dev-3", "1.0a1.post2.dev3", "1.0+local",
    "1.0+ubuntu-1", "1.0+Ubuntu_1.2", "1.0+", "1.0a.", "1.0.", ".1", "1..0", "1.0-", "abc", "", "1.0+a..b",
    "1.0.post", "1.0a-1", "3.11.2", "3.11", "3.12.0rc1", "1.0_post_2", "1.0.*", "1.0 a1", "2.0.0.0",
    "1.0.0-1", "1.0a1-1", "1!", "1.0+1.2.abc", "0.0", "1e3",
]

ORDERED = [
    "1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0a1.post1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.0", "1.0+abc",
    "1.0+5", "1.0+abc.5", "1.0.post1.dev0", "1.0.post1", "1.0.1", "1.1.dev1", "2.0", "1!0.1", "3.11.2",
    "3.11", "3.11.0", "3.12.0rc1",
]

SPECIFIERS = [
    "", ">=3.8", ">=3.11", ">3.11", ">3.11.0", "<3.12", "<=3.11", "<3.11", "==3.11.*", "==3.*", "==3.11",
    "==3.11.2", "!=3.11.*", "!=3.11.2", "~=3.10", "~=3.11.0", "~=3.11.5", "~=3", "===3.11.2", "===foo",
    ">=3.8,<4", ">=3.8, <3.11", ">= 3.10 , != 3.10.1", ">=3.8,,<4", ">=3.8;", "3.11", ">=abc", "=>3.8",
    "==3.11.*.1", "==3.11.*+local", ">=3.11+local", "==1.0+local", "!=1.0+local", "==1.0a1.*", "~=1.0a1",
    "~=1.4.5a4", "~=2.2.post3", "~=1!2.0", ">1.0.post1", ">1.0", "<1.0", "<1.0rc1", "<=1.0", ">=1.0a1",
    "==1!1.*", "==1.0", "== 1.0", ">=3.8 ,<4 ", "<3.12 , >3.9", ">=3", "==v3.11", "~=3.11.*", "<>3.8",
    "> 3.8", ">=3.11.2.0",
]

CANDIDATES = [
    "3.11.2", "3.11.0", "3.11", "3.10.1", "3.12.0", "3.12.0rc1", "3.11.0rc1", "3.11.2.post1", "3.11.2+local",
    "1.0", "1.0.post1", "1.0+local", "1.0rc1", "1.0a1", "1.0.dev1", "1.4.5", "1.4.5a4", "1.5", "2.2.post3",
    "2.3", "3.0", "4.0", "1!2.1", "1!1.0", "2.9", "3", "foo",
]


def main(output):
    versions = []
    valid = []
    for text in VERSIONS:
        try:
            version = Version(text)
        except InvalidVersion:
            versions.append({"version": text, "valid": False})
        else:
            versions.append({"version": text, "valid": True, "normalized": str(version)})
            valid.append(text)
    comparisons = []
    for left in ORDERED:
        for right in ORDERED:
            a, b = Version(left), Version(right)
            comparisons.append({"left": left, "right": right, "order": (a > b) - (a < b)})
    specifiers = []
    contains = []
    for text in SPECIFIERS:
        try:
            specifier_set = SpecifierSet(text)
        except InvalidSpecifier:
            specifiers.append({"specifier": text, "valid": False})
            continue
        specifiers.append({"specifier": text, "valid": True})
        for candidate in CANDIDATES:
            try:
                Version(candidate)
            except InvalidVersion:
                continue
            contains.append(
                {"specifier": text, "version": candidate, "contains": specifier_set.contains(candidate, prereleases=True)}
            )
    document = {
        "generator": "scripts/golden-deps/make_pep440_vectors.py",
        "oracle": "packaging " + __import__("packaging").__version__,
        "versions": versions,
        "comparisons": comparisons,
        "specifiers": specifiers,
        "contains": contains,
    }
    Path(output).write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "Tests/DependenciesTests/Golden/pep440.json"))
