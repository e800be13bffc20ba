#!/usr/bin/env python3
"""Writes a tiny PEP 503 simple index of pure-Python packages for the Dependencies tests (offline).

Usage: make_index.py OUTPUT_DIR

OUTPUT_DIR/simple/<project>/index.html links to OUTPUT_DIR/files/<distribution> with a #sha256= fragment,
so the index is served either as file://OUTPUT_DIR/simple or over HTTP. Every file is deterministic (fixed
zip timestamps, a seeded byte pattern for the large wheel), so two runs write the same bytes.

Projects:
  cm-alpha       1.0 and 2.0, module cm_alpha with VALUE = "alpha 1.0" / "alpha 2.0"
  cm-beta        1.0, depends on cm-alpha<2, module cm_beta with VALUE
  cm-sdist-only  1.0, only an sdist whose setup.py writes a marker file if it ever runs
  cm-big         1.0, a wheel holding 512 KiB of incompressible bytes (the size cap)
  cm-future      1.0, Requires-Python >=4 (no release fits the interpreter)
"""

import base64
import hashlib
import io
import os
import random
import sys
import tarfile
import zipfile

DATE = (2020, 1, 1, 0, 0, 0)


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def wheel(project, version, files, requires=(), requires_python=None):
    """The bytes and file name of a py3-none-any wheel holding `files` (path -> bytes)."""
    dist = project.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = [f"Metadata-Version: 2.1", f"Name: {project}", f"Version: {version}"]
    if requires_python:
        metadata.append(f"Requires-Python: {requires_python}")
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    contents = dict(files)
    contents[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    contents[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: make_index.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{path},{record_hash(data)},{len(data)}" for path, data in contents.items()]
    record.append(f"{info}/RECORD,,")
    contents[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in contents.items():
            archive.writestr(zipfile.ZipInfo(path, DATE), data, zipfile.ZIP_DEFLATED)
    return f"{dist}-{version}-py3-none-any.whl", buffer.getvalue(), "\n".join(metadata) + "\n"


def sdist(project, version):
    """An sdist whose setup.py would leave a marker in /tmp: proof that nothing built it."""
    dist = project.replace("-", "_")
    setup = (
        "import pathlib\n"
        "pathlib.Path('/tmp/cloudmesh-sdist-setup-ran').write_text('setup.py ran')\n"
        f"from setuptools import setup\nsetup(name={project!r}, version={version!r})\n"
    ).encode()
    pkg_info = f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.USTAR_FORMAT) as archive:
        for path, data in ((f"{dist}-{version}/setup.py", setup), (f"{dist}-{version}/PKG-INFO", pkg_info)):
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            entry.mtime = 1577836800
            archive.addfile(entry, io.BytesIO(data))
    return f"{dist}-{version}.tar.gz", buffer.getvalue()


def module(name, value):
    return {f"{name}/__init__.py": f"VALUE = {value!r}\n".encode()}


def main(output):
    pattern = random.Random(723)
    projects = {
        "cm-alpha": [
            wheel("cm-alpha", "1.0", module("cm_alpha", "alpha 1.0")),
            wheel("cm-alpha", "2.0", module("cm_alpha", "alpha 2.0")),
        ],
        "cm-beta": [wheel("cm-beta", "1.0", module("cm_beta", "beta 1.0"), requires=["cm-alpha<2"])],
        "cm-sdist-only": [sdist("cm-sdist-only", "1.0")],
        "cm-big": [
            wheel(
                "cm-big",
                "1.0",
                {**module("cm_big", "big 1.0"), "cm_big/blob.bin": pattern.randbytes(512 * 1024)},
            )
        ],
        "cm-future": [wheel("cm-future", "1.0", module("cm_future", "future"), requires_python=">=4")],
    }
    files_dir = os.path.join(output, "files")
    os.makedirs(files_dir, exist_ok=True)
    root_links = []
    for project, distributions in projects.items():
        links = []
        for distribution in distributions:
            name, data = distribution[0], distribution[1]
            with open(os.path.join(files_dir, name), "wb") as file:
                file.write(data)
            digest = hashlib.sha256(data).hexdigest()
            attributes = ""
            if len(distribution) == 3:  # a wheel: PEP 658 metadata next to it
                metadata = distribution[2].encode()
                with open(os.path.join(files_dir, name + ".metadata"), "wb") as file:
                    file.write(metadata)
                attributes = f' data-dist-info-metadata="sha256={hashlib.sha256(metadata).hexdigest()}"'
            links.append(f'<a href="../../files/{name}#sha256={digest}"{attributes}>{name}</a><br/>')
        project_dir = os.path.join(output, "simple", project)
        os.makedirs(project_dir, exist_ok=True)
        with open(os.path.join(project_dir, "index.html"), "w") as file:
            file.write("<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n")
        root_links.append(f'<a href="{project}/">{project}</a><br/>')
    with open(os.path.join(output, "simple", "index.html"), "w") as file:
        file.write("<!DOCTYPE html>\n<html><body>\n" + "\n".join(root_links) + "\n</body></html>\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
