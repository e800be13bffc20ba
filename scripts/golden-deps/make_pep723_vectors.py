#!/usr/bin/env python3
"""Produce the PEP 723 block vectors for the Swift Dependencies tests (Tests/DependenciesTests/Golden/pep723.json).

The oracle is the reference implementation in PEP 723 ("Reference Implementation"), its regular expression
applied with re.finditer, and its comment stripping. Each case lists every block (type and stripped content)
in order, for inputs that probe the regex's corners: greedy closing, unclosed blocks, blocks of other types,
`#` alone, trailing spaces, a closing line at the end of the file without a newline, Python's extra line
boundaries in str.splitlines, and nested-looking openings.

Usage: python3 scripts/golden-deps/make_pep723_vectors.py [output.json]   (standard library only)
"""

import json
import re
import sys
from pathlib import Path

REGEX = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"

CASES = [
    "# /// script\n# dependencies = []\n# ///\n",
    "# /// script\n# a = 1\n# ///",
    "# /// script\n# ///\n",
    "# /// script\n# ///\n# ///\n",
    "# /// script\n# a = 1\n# ///\n# b = 2\n# ///\nx = 1\n",
    "# /// script\n# a = 1\n# ///\n\n# /// script\n# b = 2\n# ///\n",
    "# /// script\n# a = 1\nprint()\n# ///\n",
    "# /// pyproject\n# [project]\n# name = 'x'\n# ///\n# /// script\n# a = 1\n# ///\n",
    "# /// other\n# # /// script\n# # a = 1\n# # ///\n",
    "# /// other\n# # /// script\n# # a = 1\n# # ///\nbreak\n",
    "# /// script\n#\n#a = 1\n# a = 1\n# ///\n",
    "# /// script\n#  indented = 1\n# ///\n",
    "# /// script \n# a = 1\n# ///\n",
    "# /// script\n# a = 1\n# /// \n",
    "#  /// script\n# a = 1\n# ///\n",
    "# /// Script-2\n# a = 1\n# ///\n",
    "# /// script\n# a = 'x\x0cy'\n# ///\n",
    "# /// script\n# a = 'x\u2028# y'\n# ///\n",
    "x = '''\n# /// script\n# a = 1\n# ///\n'''\n",
    "# /// script\n# a = 1\n# ///\n# /// script\n# b = 2\n",
    "# /// script\n# /// script\n# a = 1\n# ///\n",
    "# /// script\n# é = 'ü'\n# ///\n",
    "",
    "# /// script",
]


def blocks(text):
    found = []
    for match in re.finditer(REGEX, text):
        content = "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in match.group("content").splitlines(keepends=True)
        )
        found.append({"type": match.group("type"), "content": content})
    return found


def main(output):
    document = {
        "generator": "scripts/golden-deps/make_pep723_vectors.py",
        "oracle": "PEP 723 reference regex, Python " + sys.version.split()[0],
        "cases": [{"code": code, "blocks": blocks(code)} for code in CASES],
    }
    Path(output).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "Tests/DependenciesTests/Golden/pep723.json"))
